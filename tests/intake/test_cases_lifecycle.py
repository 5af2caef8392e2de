"""The case lifecycle on both databases: intake, routing, the whole happy path, side paths, the chain."""

from __future__ import annotations

import pytest
from tortoise import connections

from intake.audit import verify
from intake.cases import repo
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role, Status
from intake.cases.workflow import act
from intake.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from intake.grid.geodesy import wgs84_to_gcj02
from intake.grid.model import Datum
from intake.store.models import User, UserGrid
from tests.conftest import Services

ADMIN = Actor("user:admin", "admin", Role.ADMIN)
DESK = Actor("user:desk", "desk", Role.DISPATCHER)


def leaf_point(svc: Services, n: int = 0) -> tuple[str, float, float]:
    leaf = svc.ctx.grid.index.leaves[n]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    return leaf.code, lng, lat


async def worker_actor(code: str) -> Actor:
    link = await UserGrid.filter(grid_code=code, user__role="worker").prefetch_related("user").first()
    assert link is not None, f"demo city has no worker for {code}"
    grids = await UserGrid.filter(user_id=link.user.id).values_list("grid_code", flat=True)
    return Actor(f"user:{link.user.id}", link.user.name, Role.WORKER, tuple(map(str, grids)), link.user.id)


async def test_self_handle_category_is_dispatched_to_the_cell_worker(svc: Services, uid: str) -> None:
    code, lng, lat = leaf_point(svc)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路边有人乱扔垃圾，暴露垃圾没人管", lng, lat,
                                                category="06002"))
    case = opened.case
    assert parse_case_no(case.case_no) == case.case_no and case.case_no.startswith("440307-20261118-")
    assert case.grid_code == code
    if svc.ctx.taxonomy.catalog.get("06002").self_handle:
        assert case.status == Status.DISPATCHED and opened.assignee is not None
        assert [e.action for e in await repo.events(case.case_no)] == ["open", "register", "dispatch"]
        kinds = {n.kind for n in svc.sent.for_case(case.case_no)}
        assert {"case.open", "case.task"} <= kinds


async def test_non_self_handle_waits_for_the_dispatcher(svc: Services, uid: str) -> None:
    _, lng, lat = leaf_point(svc, 5)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了晚上很黑", lng, lat))
    assert opened.case.status == Status.REPORTED and opened.assignee is None
    assert opened.category is not None and not opened.category.self_handle


async def test_gcj02_input_is_converted_before_placement(svc: Services, uid: str) -> None:
    code, lng, lat = leaf_point(svc, 40)
    glng, glat = wgs84_to_gcj02(lng, lat)
    opened = await open_case(svc.ctx, NewReport("test", uid, "垃圾桶满了", glng, glat, datum=Datum.GCJ02))
    assert opened.case.grid_code == code
    assert abs(opened.case.lng - lng) < 1e-5  # stored in WGS-84  # type: ignore[operator]


async def test_address_only_report_is_placed_through_the_gazetteer(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "这里的路灯不亮", address="较场尾"))
    assert opened.case.grid_code is not None
    assert opened.case.grid_code.startswith("440307")


async def test_red_words_raise_severity_and_shorten_the_deadline(svc: Services, uid: str) -> None:
    _, lng, lat = leaf_point(svc, 7)
    opened = await open_case(svc.ctx, NewReport("test", uid, "楼下闻到很浓的煤气味，好像燃气泄漏了", lng, lat))
    assert opened.case.severity == "red"
    assert (opened.case.deadline_at - opened.case.opened_at).total_seconds() == 2 * 3600


async def test_the_whole_road_to_closed(svc: Services, uid: str) -> None:
    code, lng, lat = leaf_point(svc, 11)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了晚上很黑", lng, lat))
    worker = await worker_actor(code)
    no = opened.case.case_no
    steps = [(DESK, "verify", {}), (DESK, "register", {}), (DESK, "dispatch", {"user_id": worker.user_id}),
             (worker, "accept", {}), (worker, "handle", {}), (DESK, "check", {}), (DESK, "close", {})]
    for who, action, params in steps:
        svc.clock.advance(minutes=10)
        case = await act(svc.ctx, no, who, ActionRequest(action, note=f"{action} done", params=params))
    assert case.status == Status.CLOSED and case.closed_at == svc.clock.now
    events = await repo.events(no)
    assert [e.to_status for e in events][-1] == "closed"
    assert verify(no, [e.__dict__ | {"at": e.at} for e in events]) is None
    resident_kinds = [n.kind for n in svc.sent.for_case(no) if n.recipient.kind == "resident"]
    assert resident_kinds == ["case.open", "case.register", "case.dispatch", "case.accept", "case.handle",
                              "case.close"]


async def test_illegal_transition_changes_nothing(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    with pytest.raises(IllegalTransition):
        await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("close"))
    after = await repo.get(opened.case.case_no)
    assert after.status == opened.case.status and after.last_seq == opened.case.last_seq


async def test_worker_cannot_register_and_cannot_see_other_grids(svc: Services, uid: str) -> None:
    code, lng, lat = leaf_point(svc, 3)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", lng, lat))
    worker = await worker_actor(code)
    with pytest.raises(Forbidden):
        await act(svc.ctx, opened.case.case_no, worker, ActionRequest("register"))
    stranger = Actor("user:x", "x", Role.WORKER, ("440307011999",), 999_999)
    with pytest.raises(NotFound):
        await act(svc.ctx, opened.case.case_no, stranger, ActionRequest("verify"))


async def test_reject_needs_a_reason(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    with pytest.raises(Invalid):
        await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("reject"))
    case = await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("reject", note="不属于受理范围"))
    assert case.status == Status.REJECTED


async def test_suspend_and_resume_do_not_count_the_pause(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    no, deadline = opened.case.case_no, opened.case.deadline_at
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    await act(svc.ctx, no, DESK, ActionRequest("suspend", note="等待施工许可"))
    svc.clock.advance(hours=5)
    case = await act(svc.ctx, no, DESK, ActionRequest("resume"))
    assert case.status == Status.REGISTERED
    assert (case.deadline_at - deadline).total_seconds() == 5 * 3600


async def test_extension_needs_approval(svc: Services, uid: str) -> None:
    code, lng, lat = leaf_point(svc, 13)
    worker = await worker_actor(code)
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", lng, lat))
    no = opened.case.case_no
    await act(svc.ctx, no, DESK, ActionRequest("register"))
    await act(svc.ctx, no, DESK, ActionRequest("dispatch", params={"user_id": worker.user_id}))
    with pytest.raises(IllegalTransition):
        await act(svc.ctx, no, DESK, ActionRequest("approve_extension"))
    await act(svc.ctx, no, worker, ActionRequest("request_extension", note="需要更换灯杆", params={"hours": 24}))
    before = (await repo.get(no)).deadline_at
    case = await act(svc.ctx, no, DESK, ActionRequest("approve_extension"))
    assert case.deadline_at > before and case.extension_request is None


async def test_merge_makes_the_reporter_a_co_reporter(svc: Services, uid: str) -> None:
    _, lng, lat = leaf_point(svc, 17)
    first = await open_case(svc.ctx, NewReport("test", uid + "a", "小区门口路灯坏了，晚上很黑", lng, lat))
    second = await open_case(svc.ctx, NewReport("test", uid + "b", "小区门口的路灯坏了好几天", lng, lat))
    assert first.case.case_no in [d.case_no for d in second.duplicates]
    await act(svc.ctx, second.case.case_no, DESK, ActionRequest("merge", params={"into": first.case.case_no}))
    co = await repo.co_reporters(first.case.case_no)
    assert [(c.channel, c.reporter) for c in co] == [("test", uid + "b")]
    await act(svc.ctx, first.case.case_no, DESK, ActionRequest("register"))
    told = {n.recipient.ref for n in svc.sent.for_case(first.case.case_no) if n.kind == "case.register"}
    assert told == {uid + "a", uid + "b"}


async def test_concurrent_steps_cannot_both_win(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    stale = await repo.get(opened.case.case_no)
    await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("verify"))
    stale.status = "registered"
    with pytest.raises(Conflict):
        await repo.save_step(stale, stale.last_seq, [])


async def test_events_are_append_only_in_the_database(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    conn = connections.get("default")
    for sql in (f"UPDATE case_events SET note = 'x' WHERE case_no = '{opened.case.case_no}'",
                f"DELETE FROM case_events WHERE case_no = '{opened.case.case_no}'"):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_query(sql)
    assert len(await repo.events(opened.case.case_no)) == 1


async def test_case_numbers_are_unique_under_concurrency(svc: Services, uid: str) -> None:
    import asyncio

    reports = [NewReport("test", f"{uid}-{i}", "路灯坏了", address="较场尾") for i in range(20)]
    opened = await asyncio.gather(*(open_case(svc.ctx, r) for r in reports))
    numbers = [o.case.case_no for o in opened]
    assert len(set(numbers)) == 20 and all(parse_case_no(n) == n for n in numbers)


async def test_reclassify_records_before_and_after(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    case = await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("reclassify", params={"category": "06002"}))
    assert case.category_code == "06002"
    last = (await repo.events(case.case_no))[-1]
    assert last.data["after"] == "06002" and last.data["before"] == opened.case.category_code


async def test_unknown_users_cannot_be_assigned(svc: Services, uid: str) -> None:
    opened = await open_case(svc.ctx, NewReport("test", uid, "路灯坏了", address="较场尾"))
    await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("register"))
    dispatcher = await User.filter(role="dispatcher").first()
    assert dispatcher is not None
    for params in ({"user_id": 10**8}, {"user_id": dispatcher.id}, {"department": "nope"}, {}):
        with pytest.raises(Invalid):
            await act(svc.ctx, opened.case.case_no, DESK, ActionRequest("dispatch", params=params))
