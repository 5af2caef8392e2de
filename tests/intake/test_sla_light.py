"""SLA light and escalation read from the *current* deadline (after 延期 and 挂起), never skipping 督办."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.views.serialize import case_summary
from bot.web import present
from intake.cases import repo
from intake.cases.model import ActionRequest
from intake.cases.workflow import act
from intake.sla.deadlines import Light
from intake.sla.light import light as light_alone
from intake.sla.light import state
from intake.sla.sweeper import sweep
from intake.store.models import Supervision
from tests.conftest import Services
from tests.intake.test_sla_sweeper import DESK, _worker_for, red_case


async def light_of(svc: Services, case_no: str) -> tuple[Light | None, str | None]:
    case = await repo.get(case_no)
    shown = case_summary(svc.ctx, case, DESK, "zh_CN", svc.clock.now)["light"]  # what lists and cards show
    ruled = state(svc.ctx.sla, case, svc.clock.now).light
    assert present.light(svc.ctx, case, svc.clock.now) == shown  # the console's and worker pages' rows too
    assert light_alone(svc.ctx.sla, case, svc.clock.now) == ruled  # the export's shortcut reads the same rule
    return ruled, shown


@dataclass(frozen=True)
class Clocked:
    """A case's clock columns alone, as the export fetches them."""

    status: str
    deadline_at: datetime
    limit_hours: float = 2.0
    severity: str = "red"
    suspended_at: datetime | None = None


@pytest.mark.parametrize("status", ["reported", "handling", "suspended", "closed", "voided"])
def test_the_light_alone_is_the_rules_light_and_none_for_a_final_case(svc: Services, status: str) -> None:
    now = svc.clock.now
    for due in (now + timedelta(hours=3), now + timedelta(minutes=30), now - timedelta(days=400)):
        row = Clocked(status, due, suspended_at=now - timedelta(hours=1) if status == "suspended" else None)
        assert light_alone(svc.ctx.sla, row, now) == state(svc.ctx.sla, row, now).light
        assert (light_alone(svc.ctx.sla, row, now) is None) == (status in ("closed", "voided"))


async def levels(case_no: str) -> list[int]:
    return [s.level for s in await Supervision.filter(case_no=case_no).order_by("id")]


async def test_after_an_approved_extension_the_light_and_the_sweep_follow_the_new_deadline(svc: Services,
                                                                                          uid: str) -> None:
    no = await red_case(svc, uid)  # red: 2 h on the wall clock
    worker = await _worker_for(svc, no)
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    await act(svc.ctx, no, DESK, ActionRequest("dispatch", params={"user_id": worker.user_id}))
    svc.clock.advance(hours=2, minutes=30)
    await sweep(svc.ctx)
    assert await levels(no) == [1] and await light_of(svc, no) == (Light.RED, "red")
    await act(svc.ctx, no, worker, ActionRequest("request_extension", note="需要消防协助", params={"hours": 4}))
    await act(svc.ctx, no, DESK, ActionRequest("approve_extension"))  # new deadline: opened + 6 h
    assert await light_of(svc, no) == (Light.GREEN, "green")  # 3.5 h of 2 h left: not red, not even yellow
    svc.clock.advance(hours=2, minutes=40)  # 50 min left
    assert await light_of(svc, no) == (Light.YELLOW, "yellow")
    svc.clock.advance(hours=1)  # 10 min past the new deadline
    await sweep(svc.ctx)
    assert await levels(no) == [1, 1]  # 督办 again for the new deadline, not a jump to level 2
    assert (await repo.get(no)).escalation_level == 1
    svc.clock.advance(hours=4)  # 3× the limit past the new deadline
    await sweep(svc.ctx)
    assert await levels(no) == [1, 1, 2]


async def test_a_suspended_case_keeps_its_light_and_resumes_with_the_deadline_moved(svc: Services,
                                                                                    uid: str) -> None:
    no = await red_case(svc, uid)
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    svc.clock.advance(hours=1, minutes=30)  # 75 % of the limit
    await act(svc.ctx, no, DESK, ActionRequest("suspend", note="等待业主"))
    svc.clock.advance(hours=10)
    assert await light_of(svc, no) == (Light.YELLOW, "yellow")  # the clock stood still
    await sweep(svc.ctx)
    await act(svc.ctx, no, DESK, ActionRequest("resume"))
    assert await light_of(svc, no) == (Light.YELLOW, "yellow")
    svc.clock.advance(hours=1)  # 30 min past the moved deadline
    await sweep(svc.ctx)
    assert await levels(no) == [1]
    assert [e.action for e in await repo.events(no)][-1] == "supervise"


async def test_a_case_found_far_past_its_deadline_still_gets_its_supervision_first(svc: Services,
                                                                                  uid: str) -> None:
    no = await red_case(svc, uid)
    svc.clock.advance(hours=20)  # 10× the limit: the sweep was not running
    for _ in range(4):
        await sweep(svc.ctx)
    assert await levels(no) == [1, 2, 3]
    assert [e.action for e in await repo.events(no)][-3:] == ["supervise", "escalate", "escalate"]


async def test_a_never_moved_deadline_reads_as_before(svc: Services, uid: str) -> None:
    no = await red_case(svc, uid)
    case = await repo.get(no)
    for minutes, light in ((59, Light.GREEN), (61, Light.YELLOW), (119, Light.YELLOW), (120, Light.RED)):
        now = case.opened_at + timedelta(minutes=minutes)
        assert state(svc.ctx.sla, case, now).light is light, minutes
