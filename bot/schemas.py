"""Request bodies of the admin API, validated with pydantic at the boundary."""

from __future__ import annotations

import json
from typing import Any, Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from intake.errors import Invalid


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # PostgreSQL cannot store NUL in text or jsonb; refuse it here on every backend alike.
        if _has_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class ReportBody(Strict):
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")
    reporter: str = Field(min_length=1, max_length=128)
    description: str = Field(min_length=1, max_length=2000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    datum: Literal["wgs84", "gcj02"] = "wgs84"
    address: str | None = Field(default=None, max_length=300)
    category: str | None = Field(default=None, max_length=16)
    photos: list[str] = Field(default_factory=list, max_length=9)

    @field_validator("photos")
    @classmethod
    def _photo_refs(cls, value: list[str]) -> list[str]:
        if any(not p or len(p) > 500 for p in value):
            raise ValueError("each photo reference must be 1–500 characters")
        return value

    @model_validator(mode="after")
    def _both_or_neither(self) -> ReportBody:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        return self


class ActionBody(Strict):
    action: str = Field(min_length=1, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    attachments: list[str] = Field(default_factory=list, max_length=9)
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    department: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=16)
    into: str | None = Field(default=None, max_length=32)
    hours: float | None = None
    channel: str | None = Field(default=None, max_length=32)
    reporter: str | None = Field(default=None, max_length=128)
    reason: str | None = Field(default=None, max_length=32)  # void / request_void
    district: str | None = Field(default=None, max_length=12)  # void for out_of_area: where it went
    deadline: str | None = Field(default=None, max_length=40)  # supervise (督办): a new deadline, ISO 8601
    to: str | None = Field(default=None, max_length=16)  # recall: the earlier step (default registered)
    result: str | None = Field(default=None, max_length=16)  # verified (confirmed/unfounded), checked (pass/fail)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)  # where the actor stood (WGS-84)
    lng: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    assist: int | None = Field(default=None, ge=1, le=1000)  # answer_assist / waive_assist: the sub-task

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude={"action", "note", "attachments"}, exclude_none=True)


class SpotCheckBody(Strict):
    """抽查: closed cases of ``area`` closed in ``[since, until)``; ``count`` or ``percent`` of them."""

    since: AwareDatetime
    until: AwareDatetime
    area: str | None = Field(default=None, pattern=r"^\d{6,20}$")
    count: int | None = Field(default=None, ge=1, le=200)
    percent: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    note: str | None = Field(default=None, max_length=500)


class CategoryBody(Strict):
    code: str = Field(pattern=r"^\d{5}$")  # a leaf: two digits are a major, and majors are not added here
    parent: str = Field(pattern=r"^\d{2}$")
    name_zh: str = Field(min_length=1, max_length=60)
    name_en: str = Field(min_length=1, max_length=100)
    severity: Literal["red", "yellow", "blue"] = "blue"
    time_limit_hours: int | None = Field(default=None, gt=0, le=24 * 90)
    handler: Literal["self", "community", "department"] = "community"
    department: str | None = None
    self_handle: bool = False
    synonyms: list[str] = Field(default_factory=list, max_length=50)


class CategoryPatch(Strict):
    name_zh: str | None = Field(default=None, min_length=1, max_length=60)
    name_en: str | None = Field(default=None, min_length=1, max_length=100)
    parent: str | None = Field(default=None, pattern=r"^\d{2}$")
    severity: Literal["red", "yellow", "blue"] | None = None
    time_limit_hours: int | None = Field(default=None, gt=0, le=24 * 90)
    handler: Literal["self", "community", "department"] | None = None
    department: str | None = None
    self_handle: bool | None = None
    synonyms: list[str] | None = Field(default=None, max_length=50)
    retired: bool | None = None
    successor: str | None = None

    @field_validator("name_zh", "name_en", "severity", "handler", "self_handle", "synonyms", "retired",
                     mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # None here means "leave out", not "set to null": a category without a name breaks the catalog.
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


async def json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; anything else is a 400."""
    if not request.can_read_body:
        raise Invalid("a JSON body is required")
    try:
        # JSON is UTF-8 (RFC 8259) whatever charset the header claims; an unknown one must not be looked up.
        body = json.loads((await request.read()).decode("utf-8"))
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body
