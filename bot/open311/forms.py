"""The body of ``POST /requests``: form fields (``attribute[code]`` and ``attribute[code][]`` included)
validated with pydantic. Empty fields count as absent, as the spec says."""

from __future__ import annotations

import re
from typing import Any

from multidict import MultiDictProxy
from pydantic import Field, model_validator

from bot.open311.render import Open311Error
from bot.schemas import Strict

_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,32})\](\[\])?$")
MAX_ATTRIBUTES = 20


class NewRequest(Strict):
    api_key: str = Field(max_length=100)
    jurisdiction_id: str | None = Field(default=None, max_length=100)
    service_code: str = Field(max_length=16)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=300)
    address_id: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    device_id: str | None = Field(default=None, max_length=128)
    account_id: str | None = Field(default=None, max_length=128)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, max_length=2000)  # the spec allows 4,000: cases hold 2,000
    media_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s]+$")
    attributes: dict[str, str | list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _located(self) -> NewRequest:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long go together")
        if self.lat is None and not self.address_string and not self.address_id:
            raise ValueError("a location is required: lat and long, address_string or address_id")
        return self

    def reporter(self) -> str:
        """Who the client system says filed it, as the case records the reporter."""
        return self.account_id or self.device_id or self.email or self.phone or "anonymous"

    def contact(self) -> dict[str, str]:
        names = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
        return {n: v for n in names if (v := getattr(self, n))}


def flatten(form: MultiDictProxy[Any]) -> dict[str, Any]:
    """The form as one dict for :class:`NewRequest`; repeated plain fields are refused."""
    data: dict[str, Any] = {}
    attributes: dict[str, str | list[str]] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            raise Open311Error(400, f"{key}: files are not accepted; send media_url")
        if value == "":
            continue
        match = _ATTRIBUTE.match(key)
        if match and match.group(2):
            listed = attributes.setdefault(match.group(1), [])
            if not isinstance(listed, list):
                raise Open311Error(400, f"attribute {match.group(1)} given as one value and as a list")
            listed.append(value)
        elif match:
            if match.group(1) in attributes:
                raise Open311Error(400, f"attribute {match.group(1)} given twice")
            attributes[match.group(1)] = value
        elif key in data:
            raise Open311Error(400, f"{key} given twice")
        else:
            data[key] = value
    if len(attributes) > MAX_ATTRIBUTES:
        raise Open311Error(400, "too many attributes")
    if attributes:
        data["attributes"] = attributes
    return data
