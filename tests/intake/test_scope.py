"""Staff scope, once in intake/cases/scope.py: read (the admin API's case and message views), lists
(``repo.search``) and acting (``workflow.act``) all ask it; the list filter agrees with the single check."""

from __future__ import annotations

import pytest

from intake.cases import repo, scope
from intake.cases.intake import open_case
from intake.cases.model import SYSTEM, Actor, NewReport
from intake.cases.repo import CaseFilter
from intake.cases.states import Role
from intake.errors import Forbidden, NotFound
from intake.store.models import Case
from tests.conftest import Services

ADMIN = Actor("admin:bootstrap", "admin", Role.ADMIN)
EVERYWHERE = Actor("user:1", "desk", Role.DISPATCHER, user_id=1)


def case(grid: str | None, assignee: int | None = None, channel: str = "wechat", reporter: str = "o1") -> Case:
    return Case(case_no="440307-20261118-0001", grid_code=grid, assignee_user_id=assignee, channel=channel,
                reporter=reporter)


def test_read_scope_by_area_and_assignment() -> None:
    desk = Actor("user:2", "desk", Role.DISPATCHER, ("440307001",), 2)
    worker = Actor("user:3", "w", Role.WORKER, ("440307001001",), 3)
    assert all(scope.can_read(a, case(None)) for a in (ADMIN, SYSTEM, EVERYWHERE, desk))
    assert scope.can_read(desk, case("440307001002")) and not scope.can_read(desk, case("440307002001"))
    assert scope.can_read(worker, case("440307001001")) and not scope.can_read(worker, case(None))
    assert scope.can_read(worker, case("440307009009", assignee=3))  # assigned outside their cells
    assert not scope.can_read(Actor("user:4", "nobody", Role.WORKER, user_id=4), case(None, assignee=None))
    with pytest.raises(NotFound):
        scope.check_read(desk, case("440307002001"))


def test_act_scope() -> None:
    worker = Actor("user:3", "w", Role.WORKER, ("440307001001",), 3)
    scope.check_act(worker, case("440307001001"), "accept")  # unassigned in their cell
    with pytest.raises(Forbidden):
        scope.check_act(worker, case("440307001001", assignee=9), "handle")
    scope.check_act(worker, case("440307001001", assignee=9), "comment")
    with pytest.raises(NotFound):
        scope.check_act(worker, case("440307002001"), "accept")
    resident = Actor.resident("wechat", "o1")
    scope.check_act(resident, case("440307001001"), "withdraw")
    scope.check_act(Actor.resident("wechat", "o2"), case("440307001001"), "second")
    for stranger in (Actor.resident("wechat", "o2"), Actor.resident("miniprogram", "o1")):
        with pytest.raises(NotFound):
            scope.check_act(stranger, case("440307001001"), "withdraw")


async def test_the_list_filter_agrees_with_the_check(svc: Services, uid: str) -> None:
    leaves = svc.ctx.grid.index.leaves
    for leaf in (leaves[0], leaves[7], leaves[30]):
        lng, lat = svc.ctx.grid.index.centroid(leaf.code)
        await open_case(svc.ctx, NewReport("test", uid, "路灯坏了晚上很黑", lng, lat))
    await open_case(svc.ctx, NewReport("test", uid, "路灯坏了，位置不清楚"))  # unplaced
    everyone = await Case.filter(reporter=uid)
    some = leaves[7].code
    actors = [ADMIN, EVERYWHERE, Actor("user:5", "d", Role.DISPATCHER, (some[:9],), 5),
              Actor("user:6", "w", Role.WORKER, (some,), 6), Actor("user:7", "w", Role.WORKER, (), 7),
              Actor.resident("test", uid)]
    for actor in actors:
        _, listed = await repo.search(actor, CaseFilter(reporter=uid), svc.clock(), 0, 100)
        assert {c.case_no for c in listed} == {c.case_no for c in everyone if scope.can_read(actor, c)}, actor


def test_who_answers_for_a_grid() -> None:
    assert scope.answering_for(Actor("user:3", "w", Role.WORKER, ("440307001001",), 3), "440307001001") == 3
    assert scope.answering_for(Actor("user:2", "d", Role.DISPATCHER, (), 2), "440307001001") == 2
    for who in (Actor("user:3", "w", Role.WORKER, (), 3), Actor("user:3", "w", Role.WORKER, ("440307002",), 3),
                ADMIN, Actor.resident("wechat", "o1")):
        with pytest.raises(Forbidden):  # no cells, another area, no user behind the token, a resident
            scope.answering_for(who, "440307001001")
