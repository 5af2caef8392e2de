"""The daily checkpoint's external witness: sent through the outbox to an append-only file, read back by
``audit verify``; a checkpoint table rebuilt (or emptied) by someone with database access no longer
matches the copy outside it."""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tortoise import connections

from intake import audit_witness
from intake.audit import Break
from intake.audit_checkpoint import checkpoint_hash, write_checkpoint
from intake.cases.verify import verify_all
from intake.store import db
from intake.store.models_outbox import OutboxMessage
from intake.store.models_workflow import AuditCheckpoint
from notify.channels.witness import FileWitnessChannel
from notify.queue import MemoryQueue
from notify.ratelimit import MemoryRateLimiter
from notify.sender import Sender, SenderConfig
from notify.types import ChannelName, Envelope, Outcome
from outbox.notifier import OutboxNotifier
from outbox.store import DbOutboxStore
from tests.conftest import Services

workflow = importlib.import_module("intake.store.migrations.0009_workflow")


@asynccontextmanager
async def checkpoints_writable() -> AsyncIterator[None]:
    """As someone with database access would: the append-only triggers off, then on again."""
    conn = connections.get("default")
    if db.dialect() == "sqlite":
        for name in ("audit_checkpoints_no_update", "audit_checkpoints_no_delete"):
            await conn.execute_script(f"DROP TRIGGER IF EXISTS {name}")
        try:
            yield
        finally:
            for sql in workflow.SQLITE:
                await conn.execute_script(sql)
    else:
        await conn.execute_script("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_change")
        try:
            yield
        finally:
            await conn.execute_script("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_change")


async def witness_lines(path: Path) -> list[str]:
    out = []
    async for item in verify_all(witness=path):
        if not isinstance(item, Break) and "witness" in item:
            out.append(item)
    return out


async def test_a_rebuilt_or_emptied_checkpoint_table_no_longer_matches_its_witness(
        svc: Services, store: DbOutboxStore, uid: str, tmp_path: Path) -> None:
    path = tmp_path / "witness.jsonl"
    svc.clock.advance(days=430, hours=2)  # a day of its own
    point = await write_checkpoint(svc.clock.now, OutboxNotifier(svc.clock), [("witness", "file")])
    assert point is not None
    row = await OutboxMessage.get(key=f"checkpoint:{point.day}:witness:file")
    await store.route_pending(svc.clock.now, only=[row.id])
    sender = Sender(store, MemoryQueue(), {ChannelName.WITNESS_FILE: FileWitnessChannel(path)}, MemoryRateLimiter(),
                    SenderConfig(consumer=f"c{uid}"), svc.clock)
    await sender.handle(str(row.id))
    assert (await OutboxMessage.get(id=row.id)).status == "delivered"
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["hash"] == point.hash and json.loads(line)["day"] == point.day
    assert await witness_lines(path) == [f"witness {path}: 1 checkpoints witnessed, 0 problems"]

    fake_heads = "f" * 64  # the table rebuilt to match a rewritten history, its own chain consistent
    rebuilt = checkpoint_hash(point.prev_hash, point.day, point.cutoff, point.cases, fake_heads)
    async with checkpoints_writable():
        await AuditCheckpoint.filter(id=point.id).update(heads_hash=fake_heads, hash=rebuilt)
        try:
            found = await witness_lines(path)
        finally:
            await AuditCheckpoint.filter(id=point.id).update(heads_hash=point.heads_hash, hash=point.hash)
    assert found[0].startswith(f"BROKEN witness {point.day}: the database's checkpoint is not the one witnessed")

    async with checkpoints_writable():
        await AuditCheckpoint.filter(id=point.id).delete()
        try:
            found = await witness_lines(path)
        finally:
            await AuditCheckpoint.create(**{f: getattr(point, f) for f in point._meta.fields_map})
    assert found[0] == f"BROKEN witness {point.day}: the checkpoint witnessed outside is gone from the database"
    assert await witness_lines(path) == [f"witness {path}: 1 checkpoints witnessed, 0 problems"]


def test_a_damaged_witness_file_is_reported_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    good = {"day": "2027-01-01", "hash": "a" * 64, "heads_hash": "b" * 64, "cases": 3}
    lines = [json.dumps(good), json.dumps(good), "not json", json.dumps({"day": "2027-01-02"}),
             json.dumps({**good, "hash": "c" * 64})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found, problems = audit_witness.read(path)
    assert list(found) == ["2027-01-01"] and found["2027-01-01"]["hash"] == "a" * 64  # a retry's copy is fine
    assert [p.split(": ", 1)[1] for p in problems] == [
        "line 3 is not a checkpoint", "line 4 is not a checkpoint",
        "two different checkpoints witnessed for 2027-01-01"]
    assert audit_witness.read(tmp_path / "absent.jsonl")[1][0].endswith("cannot be read (FileNotFoundError)")
    path.write_bytes(b"\xff\xfe bad")
    assert "UnicodeDecodeError" in audit_witness.read(path)[1][0]


async def test_the_file_channel_appends_and_retries_when_it_cannot_write(tmp_path: Path) -> None:
    body = {"day": "2027-01-01", "at": "x", "cutoff": "y", "cases": 1, "heads_hash": "h", "prev_hash": "p",
            "hash": "z", "event": "audit.checkpoint"}
    envelope = Envelope("1", "witness_file", "file", "audit.checkpoint", body, "checkpoint:2027-01-01:witness:file")
    path = tmp_path / "w.jsonl"
    for _ in range(2):
        assert (await FileWitnessChannel(path).send(envelope)).outcome is Outcome.DELIVERED
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2  # appended, never rewritten
    blocked = await FileWitnessChannel(tmp_path / "no-such-dir" / "w.jsonl").send(envelope)
    assert blocked.outcome is Outcome.RETRY
    bad = await FileWitnessChannel(path).send(dataclasses.replace(envelope, body={"day": "2027-01-01"}))
    assert bad.outcome is Outcome.DEAD
