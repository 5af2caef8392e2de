"""不属于本辖区: a case voided as out of area moves into a region served here, or is on record for one outside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.cases import repo, scope
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.errors import Invalid
from intake.store.models import Case
from intake.store.models_workflow import CaseTransfer
from tests.conftest import Services

DESK = Actor("user:desk", "desk", Role.DISPATCHER)


def _streets(svc: Services) -> tuple[str, str, str]:
    """A leaf of one street, that street's code, and another street's code."""
    leaf = svc.ctx.grid.index.leaves[5].code
    other = next(c.code[:9] for c in svc.ctx.grid.index.leaves if c.code[:9] != leaf[:9])
    return leaf, leaf[:9], other


async def _case(svc: Services, uid: str, leaf: str) -> str:
    lng, lat = svc.ctx.grid.index.centroid(leaf)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路边垃圾堆放很久了", lng, lat, category="01037"))
    return opened.case.case_no


def _void(district: str) -> ActionRequest:
    return ActionRequest("void", note="属邻街道管辖", params={"reason": "out_of_area", "district": district})


async def test_a_case_moves_into_a_street_served_here_and_its_dispatchers_see_it(svc: Services, uid: str) -> None:
    leaf, street, other = _streets(svc)
    case_no = await _case(svc, uid, leaf)
    await act(svc.ctx, case_no, DESK, ActionRequest("register"))
    moved = await act(svc.ctx, case_no, DESK, _void(other))
    assert (moved.status, moved.grid_code, moved.closed_at, moved.assignee_user_id) == ("registered", other, None, None)
    [record] = await CaseTransfer.filter(case_no=case_no)
    assert (record.from_grid, record.to_code, record.moved, record.by) == (leaf, other, True, "desk")
    there = Actor("user:b", "b", Role.DISPATCHER, grids=(other,), user_id=None)
    here = Actor("user:a", "a", Role.DISPATCHER, grids=(street,), user_id=None)
    assert await Case.filter(scope.read_filter(there), case_no=case_no).exists()
    assert not await Case.filter(scope.read_filter(here), case_no=case_no).exists()
    told = [n for n in svc.sent.for_case(case_no) if n.kind == "case.void.out_of_area"]
    assert [n.payload["status"] for n in told] == ["registered"]
    assert (await repo.events(case_no))[-1].data["moved"] is True
    again = await act(svc.ctx, case_no, there, ActionRequest("comment", note="收到"))  # theirs to work now
    assert again.status == "registered"


async def test_a_misplaced_case_lands_in_the_targets_cell_holding_its_point(svc: Services, uid: str) -> None:
    leaf, _, other = _streets(svc)
    target_leaf = next(c.code for c in svc.ctx.grid.index.leaves if c.code.startswith(other))
    case_no = await _case(svc, uid, target_leaf)
    await Case.filter(case_no=case_no).update(grid_code=leaf)  # placed on the wrong street at intake
    moved = await act(svc.ctx, case_no, DESK, _void(other))
    assert (moved.status, moved.grid_code) == ("reported", target_leaf)


async def test_a_suspended_case_gets_its_suspended_time_back_when_moved(svc: Services, uid: str) -> None:
    leaf, _, other = _streets(svc)
    case_no = await _case(svc, uid, leaf)
    await act(svc.ctx, case_no, DESK, ActionRequest("register"))
    await act(svc.ctx, case_no, DESK, ActionRequest("suspend", note="等待产权单位"))
    before = (await repo.get(case_no)).deadline_at
    svc.clock.now += timedelta(hours=5)
    moved = await act(svc.ctx, case_no, DESK, _void(other))
    assert moved.status == "registered" and moved.suspended_at is None and moved.resume_status is None
    assert moved.deadline_at == before + timedelta(hours=5)


async def test_a_district_outside_is_voided_here_with_a_transfer_record(svc: Services, uid: str) -> None:
    leaf, _, _ = _streets(svc)
    case_no = await _case(svc, uid, leaf)
    voided = await act(svc.ctx, case_no, DESK, _void("440303"))  # 罗湖区: not served by this deployment
    assert voided.status == "voided" and voided.closed_at is not None and voided.grid_code == leaf
    [record] = await CaseTransfer.filter(case_no=case_no)
    assert (record.to_code, record.moved, record.note) == ("440303", False, "属邻街道管辖")


async def test_its_own_region_is_not_elsewhere_and_nothing_is_recorded(svc: Services, uid: str) -> None:
    leaf, street, _ = _streets(svc)
    case_no = await _case(svc, uid, leaf)
    for own in (street, leaf[:6]):
        with pytest.raises(Invalid, match="already in"):
            await act(svc.ctx, case_no, DESK, _void(own))
    assert not await CaseTransfer.exists(case_no=case_no)
    assert (await repo.get(case_no)).status == "reported"
