"""条线分流 on both databases: a confident department category is dispatched to its line's department at 立案;
an unconfident one, or one whose department is missing or deactivated, waits in the dispatcher's queue."""

from __future__ import annotations

import dataclasses

import pytest

from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import Actor, NewReport
from intake.cases.states import Role, Status
from intake.org import departments
from intake.store.models_nlp import TriageItem
from intake.tuning import triage
from tests.bot.wechat.test_callback_view import empty_cell
from tests.conftest import Services
from tuning.serving import Served, ServingClassifier

TEXT, CODE, LINE = "路灯坏了晚上很黑", "01037", "urban_management"  # the keyword matcher is sure of this one
DESK = Actor("user:desk", "desk", Role.DISPATCHER)


def _ctx(svc: Services, threshold: float, *, on: bool = True) -> CaseContext:
    """The session's context with 条线分流 ``on`` and a served model whose calibrated threshold for the
    category is ``threshold`` (the real per-category rule of ``ServingClassifier.triage``)."""
    serving = ServingClassifier(svc.serving.fallback)
    serving.active = Served(1, svc.serving.fallback, {CODE: threshold})
    tasks = dataclasses.replace(svc.ctx.tasks, auto_dispatch_departments=on)
    return dataclasses.replace(svc.ctx, classifier=serving, triage=serving.triage, tasks=tasks)


async def _open(ctx: CaseContext, svc: Services, uid: str, start: int) -> tuple[str, str]:
    leaf = svc.ctx.grid.index.leaves[await empty_cell(svc, start)].code
    lng, lat = svc.ctx.grid.index.centroid(leaf)
    opened = await open_case(ctx, NewReport("test", uid, TEXT, lng, lat))
    assert opened.category is not None and opened.category.code == CODE
    return opened.case.case_no, leaf


def _teams(svc: Services, leaf: str) -> tuple[str, str]:
    """The street's team and the district's bureau of the line (the demo has both for 城管)."""
    chain = svc.ctx.grid.ancestors(leaf)  # the cell … its street, its district: nearest first
    return f"{chain[-2]}-{LINE}", f"{chain[-1]}-{LINE}"


async def test_a_confident_case_goes_to_the_department_of_its_line_for_that_street(svc: Services, uid: str) -> None:
    case_no, leaf = await _open(_ctx(svc, 0.5), svc, uid, 300)
    case, (team, _) = await repo.get(case_no), _teams(svc, leaf)
    assert (case.status, case.assignee_department, case.assignee_user_id) == (Status.DISPATCHED, team, None)
    events = await repo.events(case_no)
    assert [(e.action, e.role, e.note) for e in events] == [
        ("open", "resident", None), ("register", "system", "line dispatch"), ("dispatch", "system", "line dispatch")]
    assert events[2].data == {"assignee_user_id": None, "department": team}
    told = {(n.kind, n.recipient.kind, n.recipient.ref) for n in svc.sent.for_case(case_no)}
    assert ("case.task", "department", team) in told  # mailed / posted to its group as a manual 派遣 is
    assert ("case.open", "resident", uid) in told  # the resident hears 已受理 as usual
    assert not await TriageItem.exists(case_no=case_no)


@pytest.mark.parametrize("off", [("street",), ("street", "district")], ids=["street-off", "both-off"])
async def test_a_deactivated_department_passes_to_the_next_above_or_leaves_the_case_queued(
        svc: Services, uid: str, off: tuple[str, ...]) -> None:
    leaf = svc.ctx.grid.index.leaves[await empty_cell(svc, 340)].code
    team, bureau = _teams(svc, leaf)
    closed = [code for code, level in ((team, "street"), (bureau, "district")) if level in off]
    for code in closed:
        await departments.deactivate(code)
    try:
        lng, lat = svc.ctx.grid.index.centroid(leaf)
        opened = await open_case(_ctx(svc, 0.5), NewReport("test", uid, TEXT, lng, lat))
    finally:
        for code in closed:
            await departments.edit(code, {"active": True})
    case = opened.case
    if bureau in closed:  # no active department of the line above the cell: the dispatcher's queue
        assert (case.status, case.assignee_department, opened.routed) == (Status.REPORTED, None, False)
        assert [e.action for e in await repo.events(case.case_no)] == ["open"]
    else:  # the district's bureau, as the nearest active one
        assert (case.status, case.assignee_department, opened.routed) == (Status.DISPATCHED, bureau, True)
        assert opened.department is not None and opened.department.code == bureau


async def test_an_unconfident_case_waits_then_triage_routes_it_to_the_department(svc: Services, uid: str) -> None:
    ctx = _ctx(svc, 0.999)  # the keyword matcher's 0.95 misses this calibrated threshold
    case_no, leaf = await _open(ctx, svc, uid, 380)
    case = await repo.get(case_no)
    assert (case.status, case.assignee_department) == (Status.REPORTED, None)
    assert {n.recipient.kind for n in svc.sent.for_case(case_no)} == {"resident"}
    decided = await triage.decide(ctx, case_no, CODE, DESK)  # a person confirms: routed as intake would
    assert (decided.status, decided.assignee_department) == (Status.DISPATCHED, _teams(svc, leaf)[0])
    assert [(e.role, e.note) for e in await repo.events(case_no)][-2:] == [("system", "line dispatch")] * 2


async def test_with_line_dispatch_turned_off_a_confident_case_waits(svc: Services, uid: str) -> None:
    case_no, _ = await _open(_ctx(svc, 0.5, on=False), svc, uid, 420)
    case = await repo.get(case_no)
    assert (case.status, case.assignee_department, case.assignee_user_id) == (Status.REPORTED, None, None)
    assert [e.action for e in await repo.events(case_no)] == ["open"]
