"""督办 and escalation, driven by the fake clock, on both databases."""

from __future__ import annotations

from intake.cases import repo
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.sla.sweeper import sweep
from intake.store.models import Supervision
from tests.conftest import Services

DESK = Actor("user:desk", "desk", Role.DISPATCHER)


async def red_case(svc: Services, uid: str) -> str:
    leaf = svc.ctx.grid.index.leaves[21]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    opened = await open_case(svc.ctx, NewReport("test", uid, "小区里着火了，冒出很多烟", lng, lat))
    assert opened.case.severity == "red"
    return opened.case.case_no


async def test_overdue_case_gets_one_supervision_then_escalates(svc: Services, uid: str) -> None:
    no = await red_case(svc, uid)
    svc.clock.advance(hours=1)
    await sweep(svc.ctx)
    assert not await Supervision.filter(case_no=no).exists()

    svc.clock.advance(hours=1, minutes=1)  # past the 2 h limit
    await sweep(svc.ctx)
    await sweep(svc.ctx)  # idempotent
    rows = await Supervision.filter(case_no=no)
    assert [r.level for r in rows] == [1]
    assert (await repo.get(no)).escalation_level == 1

    svc.clock.advance(hours=4)  # past 3× the limit
    await sweep(svc.ctx)
    rows = await Supervision.filter(case_no=no).order_by("level")
    assert [r.level for r in rows] == [1, 2]
    assert rows[1].target_region is not None and len(rows[1].target_region) == 9  # the street
    actions = [e.action for e in await repo.events(no)]
    assert actions[-2:] == ["supervise", "escalate"]
    kinds = [n.kind for n in svc.sent.for_case(no)]
    assert "case.overdue" in kinds and "case.escalated" in kinds


async def test_closed_and_suspended_cases_are_left_alone(svc: Services, uid: str) -> None:
    no = await red_case(svc, uid)
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    await act(svc.ctx, no, DESK, ActionRequest("suspend", note="等待"))
    svc.clock.advance(hours=10)
    await sweep(svc.ctx)
    assert not await Supervision.filter(case_no=no).exists()


async def test_approved_extension_clears_the_escalation(svc: Services, uid: str) -> None:
    no = await red_case(svc, uid)
    worker_link = await _worker_for(svc, no)
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    await act(svc.ctx, no, DESK, ActionRequest("dispatch", params={"user_id": worker_link.user_id}))
    svc.clock.advance(hours=3)
    await sweep(svc.ctx)
    assert (await repo.get(no)).escalation_level == 1
    await act(svc.ctx, no, worker_link, ActionRequest("request_extension", note="需要消防协助", params={"hours": 4}))
    case = await act(svc.ctx, no, DESK, ActionRequest("approve_extension"))
    assert case.escalation_level == 0 and case.deadline_at > svc.clock.now


async def _worker_for(svc: Services, case_no: str) -> Actor:
    case = await repo.get(case_no)
    assert case.grid_code is not None
    user = await svc.ctx.grid.worker_for(case.grid_code)
    assert user is not None
    return Actor(f"user:{user.id}", user.name, Role.WORKER, (case.grid_code,), user.id)
