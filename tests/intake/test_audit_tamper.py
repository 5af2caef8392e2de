"""Tampering with the database behind the application's back is reported by ``audit verify``.

Each test bypasses the append-only triggers the way someone with database access would, changes one
thing, and checks what ``verify_all`` says about that case (other tests' cases are ignored).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from tortoise import connections

from intake.audit import Break, link_hash
from intake.audit_checkpoint import write_checkpoint
from intake.cases import repo
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, NewReport
from intake.cases.seal import report_digest
from intake.cases.verify import verify_all
from intake.cases.workflow import act
from intake.store import db
from intake.store.models import Case, CaseEvent
from tests.conftest import Services
from tests.intake.test_sla_sweeper import DESK

append_only = importlib.import_module("intake.store.migrations.0002_append_only_events")


@asynccontextmanager
async def triggers_off() -> AsyncIterator[None]:
    conn = connections.get("default")
    if db.dialect() == "sqlite":
        for name in ("case_events_no_update", "case_events_no_delete"):
            await conn.execute_script(f"DROP TRIGGER IF EXISTS {name}")
        try:
            yield
        finally:
            for sql in append_only.SQLITE:
                await conn.execute_script(sql)
    else:
        await conn.execute_script("ALTER TABLE case_events DISABLE TRIGGER case_events_no_change")
        try:
            yield
        finally:
            await conn.execute_script("ALTER TABLE case_events ENABLE TRIGGER case_events_no_change")


async def a_case(svc: Services, uid: str) -> str:
    leaf = svc.ctx.grid.index.leaves[30]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了，晚上很黑", lng, lat, address="某路12号",
                                                category="01037", photos=("mp-media:abc",)))
    no = opened.case.case_no
    for action in ("verify", "register"):
        await act(svc.ctx, no, DESK, ActionRequest(action))
    await act(svc.ctx, no, DESK, ActionRequest("comment", note="已联系"))
    return no


async def report(case_no: str) -> tuple[list[Break], list[str]]:
    breaks, lines = [], []
    async for item in verify_all():
        if isinstance(item, Break):
            if item.case_no == case_no:
                breaks.append(item)
        elif item.startswith("BROKEN"):
            lines.append(item)
    return breaks, lines


async def test_the_opening_event_commits_to_the_report(svc: Services, uid: str) -> None:
    no = await a_case(svc, uid)
    opening = (await repo.events(no))[0]
    assert opening.data["report"] == report_digest(await repo.get(no))
    leaf = svc.ctx.grid.index.leaves[31]
    opened = await open_case(svc.ctx, NewReport("test", uid, "井盖丢了", *svc.ctx.grid.index.centroid(leaf.code)))
    assert opened.opening_hash == (await repo.events(opened.case.case_no))[0].hash  # the receipt's evidence code
    assert (await report(no))[0] == []


async def test_edited_description_location_or_photos_are_reported(svc: Services, uid: str) -> None:
    for change in ({"description": "路灯好的"}, {"lat": 22.5}, {"address": "别处"}, {"photos": []},
                   {"reporter": "someone-else"}):
        no = await a_case(svc, uid + str(sorted(change)))
        await Case.filter(case_no=no).update(**change)
        breaks = (await report(no))[0]
        assert len(breaks) == 1 and "report" in breaks[0].reason, change


async def test_deleting_the_last_events_is_reported(svc: Services, uid: str) -> None:
    no = await a_case(svc, uid)
    async with triggers_off():
        last = await CaseEvent.filter(case_no=no).order_by("-seq").limit(2).values_list("id", flat=True)
        await CaseEvent.filter(id__in=list(last)).delete()
    breaks = (await report(no))[0]
    assert len(breaks) == 1 and "deleted" in breaks[0].reason and breaks[0].seq == 3


async def rewrite_from(case_no: str, seq: int, note: str) -> None:
    """Change one old event and re-hash it and every later one, then point the case row at the new head."""
    rows: list[dict[str, Any]] = await CaseEvent.filter(case_no=case_no).order_by("seq").values()
    prev = rows[seq - 2]["hash"] if seq > 1 else rows[0]["prev_hash"]
    async with triggers_off():
        for row in rows[seq - 1:]:
            if row["seq"] == seq:
                row["note"] = note
            row["prev_hash"], row["hash"] = prev, link_hash(prev, row)
            await CaseEvent.filter(id=row["id"]).update(note=row["note"], prev_hash=row["prev_hash"], hash=row["hash"])
            prev = row["hash"]
    await Case.filter(case_no=case_no).update(last_hash=prev)


async def test_a_rewritten_and_rehashed_history_is_caught_by_the_checkpoint(svc: Services, uid: str) -> None:
    no = await a_case(svc, uid)
    svc.clock.advance(days=400, hours=1)  # a day of its own: one checkpoint a day
    written = await write_checkpoint(svc.clock.now)
    assert written is not None and written.cases >= 1
    assert await write_checkpoint(svc.clock.now + timedelta(minutes=5)) is None  # once a day
    before = (await report(no))[1]
    await rewrite_from(no, 2, "改写的历史")
    breaks, lines = await report(no)
    assert breaks == []  # the chain alone looks whole: head, links and report all agree
    new = [line for line in lines if line not in before]
    assert len(new) == 1 and "rewritten" in new[0]


async def test_the_checkpoint_table_is_append_only(svc: Services) -> None:
    from intake.store.models_workflow import AuditCheckpoint

    svc.clock.advance(days=401)
    point = await write_checkpoint(svc.clock.now)
    assert point is not None
    try:
        await AuditCheckpoint.filter(id=point.id).update(cases=0)
    except Exception as exc:  # the driver's own error type
        assert "append-only" in str(exc)
    else:
        raise AssertionError("a checkpoint could be updated")
