"""The hash chain: intact chains verify, every kind of tampering is named at its first link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from intake.audit import GENESIS, link_hash, verify


def chain(n: int) -> list[dict[str, Any]]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        body: dict[str, Any] = {"case_no": "C", "seq": seq, "action": f"a{seq}", "from_status": "x",
                                "to_status": "y", "actor": "user:1", "role": "admin",
                                "at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=seq),
                                "note": "备注", "attachments": [], "data": {"k": seq}}
        body["prev_hash"], body["hash"] = prev, link_hash(prev, body)
        prev = body["hash"]
        events.append(body)
    return events


def test_intact_chain_verifies() -> None:
    assert verify("C", chain(5)) is None
    assert verify("C", []) is None


def test_edited_content_is_found_at_its_link() -> None:
    events = chain(5)
    events[2]["note"] = "改过"
    broken = verify("C", events)
    assert broken is not None and broken.seq == 3 and "content" in broken.reason


def test_deleted_event_is_found() -> None:
    events = chain(5)
    del events[1]
    broken = verify("C", events)
    assert broken is not None and broken.seq == 2 and "missing" in broken.reason


def test_rehashed_edit_still_breaks_the_next_link() -> None:
    events = chain(4)
    events[1]["note"] = "forged"
    events[1]["hash"] = link_hash(events[1]["prev_hash"], events[1])
    broken = verify("C", events)
    assert broken is not None and broken.seq == 3 and "prev_hash" in broken.reason


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    events = chain(2)
    events[0]["at"] = events[0]["at"].astimezone(timezone(timedelta(hours=8)))
    assert verify("C", events) is None
