"""What an Open311 reader may see: which channels' cases, and which fields of them.

Any key used to read any case from any channel — mini-program residents' full descriptions (with the
phone and ID numbers they typed) and exact coordinates. A key is now *public* unless registered with
``--scope private``: a public reader sees the category, the status and the place rounded to about a
kilometre, never the resident's text, address or photos. ``--channels`` limits a key to the cases of
those channels (``wechat``, ``mp``, ``open311:<name>`` …). Reads without a key (``OPEN311_PUBLIC_READS``)
are public reads of every channel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from intake.store.models import ApiClient

PRIVATE_FIELDS = ("description", "address", "media_url")  # the resident's own words, house and photos
ROUND_TO = 2  # decimal degrees: ~1 km, enough to map a neighbourhood's problems, not a door
CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Scope:
    private: bool = False
    channels: tuple[str, ...] | None = None  # None: every channel

    @classmethod
    def of(cls, client: ApiClient | None) -> Scope:
        if client is None:
            return cls()
        return cls(client.private, tuple(client.channels) if client.channels is not None else None)


def check_channels(channels: Sequence[str]) -> list[str]:
    bad = [c for c in channels if not CHANNEL.match(c)]
    if bad or not channels:
        raise ValueError("channels are 1–32 characters of a-z, 0-9, '.', '_', ':', '-', comma-separated")
    return sorted(set(channels))


def redact(body: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """One rendered request as ``scope`` may see it."""
    if scope.private:
        return body
    shown = {**body, **dict.fromkeys(PRIVATE_FIELDS)}
    for name in ("lat", "long"):
        if isinstance(shown.get(name), float):
            shown[name] = round(shown[name], ROUND_TO)
    return shown
