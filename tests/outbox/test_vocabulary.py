"""One vocabulary for outbox rows and one registry of channel names, written once (in notify.types and
notify.store) and fitting the columns that hold them."""

from __future__ import annotations

import ast
from pathlib import Path

from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import QUEUED, STORED, State
from notify.types import SENT_CHANNELS, ChannelName

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "intake", "nlp", "notify", "outbox", "tuning")


def _literals(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_no_channel_name_is_written_outside_the_registry() -> None:
    names = {str(c) for c in ChannelName} - {"email"}  # also a column, a form field and a routing decision
    found = [f"{path.relative_to(ROOT)}: {sorted(_literals(path) & names)}"
             for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             if path != ROOT / "notify" / "types.py" and "migrations" not in path.parts and _literals(path) & names]
    assert found == []


def test_every_status_and_channel_fits_its_column() -> None:
    status_len = OutboxMessage._meta.fields_map["status"].max_length  # type: ignore[attr-defined]
    channel_len = min(OutboxMessage._meta.fields_map["channel"].max_length,  # type: ignore[attr-defined]
                      OutboxAttempt._meta.fields_map["channel"].max_length)  # type: ignore[attr-defined]
    assert max(len(s) for s in State) <= status_len
    assert max(len(c) for c in ChannelName) <= channel_len


def test_fallback_is_an_instruction_not_a_stored_status() -> None:
    assert State.FALLBACK not in STORED and State.WITHDRAWN in STORED
    assert QUEUED.issubset(STORED)
    assert ChannelName.PASSIVE_REPLY not in SENT_CHANNELS and len(SENT_CHANNELS) == len(ChannelName) - 1
