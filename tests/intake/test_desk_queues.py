"""The desk's queues (``intake.cases.desk``): each queue's count is its page's length and holds exactly the
cases that answer its question; the filters, the scope and the pages by deadline narrow both alike."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from intake.cases import assists, desk
from intake.cases.desk import DeskFilter
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import OPEN, Role
from intake.cases.workflow import act
from intake.store.models import Case
from intake.store.models_nlp import TriageItem
from tests.conftest import Services

ADMIN = Actor("user:admin", "admin", Role.ADMIN)
WORKER_ID = 987_650


def test_the_partial_index_names_the_open_states_as_the_queries_do() -> None:
    migration = importlib.import_module("intake.store.migrations.0026_desk_open")
    assert sorted(migration.OPEN) == sorted(str(s) for s in OPEN)
    assert f"WHERE {desk.OPEN_SQL.replace('c.status', 'status')}" in migration.INDEX


async def _cases(svc: Services, channel: str, n: int) -> list[str]:
    return [(await open_case(svc.ctx, NewReport(channel, f"r{i}", "路灯坏了，位置不清楚"))).case.case_no
            for i in range(n)]


async def _set(case_no: str, **values: Any) -> None:
    await Case.filter(case_no=case_no).update(**values)


async def test_each_queue_holds_the_cases_that_answer_its_question(svc: Services, uid: str) -> None:
    channel, now = f"dq{uid}", svc.clock()
    new, triage, dispatch, returned, handled, extension, escalated, supervised, voiding, denied, closed, \
        helped, answered, waived = await _cases(svc, channel, 14)
    await TriageItem.create(case_no=triage, predicted=None, confidence=0.2, threshold=0.6, model="m", top=[],
                            status="pending", created_at=now)
    await _set(dispatch, status="registered")
    await _set(returned, status="returned", deadline_at=now - timedelta(hours=1))
    await _set(handled, status="handled")
    await _set(extension, status="handling", extension_request={"hours": 24, "note": "rain"})
    await _set(escalated, status="registered", escalation_level=1)
    await act(svc.ctx, supervised, ADMIN, ActionRequest("supervise", note="today"))
    worker = Actor(f"user:{WORKER_ID}", "w", Role.WORKER, (), WORKER_ID)
    for no in (voiding, denied):
        await _set(no, status="handling", assignee_user_id=WORKER_ID)
        asked = ActionRequest("request_void", note="a duplicate", params={"reason": "duplicate"})
        await act(svc.ctx, no, worker, asked)
    await act(svc.ctx, denied, ADMIN, ActionRequest("deny_void", note="not a duplicate"))
    await _set(closed, status="closed", deadline_at=now - timedelta(days=3), escalation_level=2)
    for no, states in ((helped, ("answered", "pending")), (answered, ("answered",)), (waived, ("waived",))):
        await _set(no, status="handling", assists=[{"id": k, "kind": "department", "ref": f"d{k}", "status": state,
                                                    "note": None} for k, state in enumerate(states, 1)])
    expected = {"new": {new, triage, supervised}, "triage": {triage}, "dispatch": {dispatch, escalated},
                "returned": {returned}, "overdue": {returned}, "supervised": {escalated, supervised},
                "checking": {handled}, "extension": {extension}, "void": {voiding}, "assist": {helped}}
    flt = DeskFilter(channel=channel)
    counts = await desk.counts(ADMIN, now, flt)
    for queue in desk.QUEUES:
        found = [c.case_no for c in await desk.cases(ADMIN, queue, now, flt)]
        assert set(found) == expected[queue] and counts[queue] == len(found), queue
    mine = await Case.filter(channel=channel)  # the 协办 queue's SQL is intake.cases.assists.pending's rule
    assert {c.case_no for c in mine if assists.pending(c) and c.status in OPEN} == expected["assist"]


async def test_filters_scope_and_pages_narrow_counts_and_lists_alike(svc: Services, uid: str) -> None:
    channel, now = f"dp{uid}", svc.clock()
    numbers = await _cases(svc, channel, 5)
    for k, no in enumerate(numbers):  # deadlines in reverse order of opening; two share one
        await _set(no, deadline_at=now + timedelta(hours=10 - min(k, 3)))
    flt = DeskFilter(channel=channel)
    first = await desk.cases(ADMIN, "new", now, flt)
    assert [c.case_no for c in first] == [numbers[3], numbers[4], numbers[2], numbers[1], numbers[0]]
    after = await desk.cases(ADMIN, "new", now, flt, after=(first[1].deadline_at, first[1].id))
    assert [c.case_no for c in after] == [c.case_no for c in first[2:]]
    desk_everywhere = Actor("user:1", "desk", Role.DISPATCHER, ("440307001",), 1)  # unplaced cases are theirs too
    assert (await desk.counts(desk_everywhere, now, flt))["new"] == 5
    stranger = Actor(f"user:{WORKER_ID + 1}", "w", Role.WORKER, ("440307001001",), WORKER_ID + 1)
    assert set((await desk.counts(stranger, now, flt)).values()) == {0}
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert (await desk.counts(ADMIN, now, DeskFilter(channel=channel, since=day)))["new"] == 5
    assert (await desk.counts(ADMIN, now, DeskFilter(channel=channel, until=day)))["new"] == 0
    for hostile in (DeskFilter(channel=channel, area="44%"), DeskFilter(channel=channel, category="0_"),
                    DeskFilter(channel="x' OR '1'='1"), DeskFilter(channel=channel, severity="?")):
        assert set((await desk.counts(ADMIN, now, hostile)).values()) == {0}
        assert await desk.cases(ADMIN, "new", now, hostile) == []
