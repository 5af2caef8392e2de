"""The hash chain over a case's event log.

Each event's hash covers its own content and the previous event's hash, so any
edit, deletion or reordering breaks every later link. ``verify`` names the first
broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("case_no", "seq", "action", "from_status", "to_status", "actor", "role", "at", "note",
                 "attachments", "data")


def canonical(event: Mapping[str, Any]) -> bytes:
    """A byte form that does not depend on dict order, whitespace or the database's datetime type."""
    body = {name: _plain(event.get(name)) for name in HASHED_FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link of a chain."""

    case_no: str
    seq: int
    reason: str


def verify(case_no: str, events: Iterable[Mapping[str, Any]]) -> Break | None:
    """Check one case's events, in ``seq`` order; ``None`` when the chain is whole."""
    prev, expected_seq = GENESIS, 1
    for event in events:
        seq = int(event["seq"])
        if seq != expected_seq:
            return Break(case_no, expected_seq, f"event {expected_seq} is missing (found {seq})")
        if event["prev_hash"] != prev:
            return Break(case_no, seq, "prev_hash does not match the previous event")
        if link_hash(prev, event) != event["hash"]:
            return Break(case_no, seq, "content does not match its hash")
        prev, expected_seq = str(event["hash"]), seq + 1
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        # Databases hand datetimes back in their own zone and precision: normalise to UTC microseconds.
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value
