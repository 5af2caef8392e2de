"""Case statistics against a hand-built set with known answers, on SQLite and PostgreSQL.

Seven cases of one worker, reporters prefixed with the test's uid (the database is shared):
A on time (accepted after 1 h), B late (closed a month on), C closed after its first deadline but within
an approved extension, D closed after its first deadline but within the time a suspension added, E closed
on time then reopened, F voided, G open, 督办'd and overdue now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.errors import Invalid
from intake.sla import sweeper
from intake.sla.calendar import SHANGHAI
from intake.stats.cases import case_stats
from intake.stats.query import CaseQuery
from intake.stats.report import case_report, ranked
from intake.stats.weights import Weights
from intake.store.models import Case, CaseEvent
from tests.conftest import Services
from tests.intake.test_cases_lifecycle import leaf_point, worker_actor

ADMIN = Actor("user:admin", "admin", Role.ADMIN)
DESK = Actor("user:desk", "desk", Role.DISPATCHER)


async def _open(svc: Services, reporter: str, worker: Actor, accept_after_h: float) -> str:
    _, lng, lat = leaf_point(svc, 21)
    no = (await open_case(svc.ctx, NewReport("test", reporter, "路灯坏了晚上很黑", lng, lat))).case.case_no
    for action in ("register", "dispatch"):
        await act(svc.ctx, no, DESK, ActionRequest(action, params={"user_id": worker.user_id}))
    svc.clock.advance(hours=accept_after_h)
    await act(svc.ctx, no, worker, ActionRequest("accept"))
    return no


async def _finish(svc: Services, no: str, worker: Actor) -> None:
    await act(svc.ctx, no, worker, ActionRequest("handle", note="修好了"))
    await act(svc.ctx, no, DESK, ActionRequest("check"))
    await act(svc.ctx, no, DESK, ActionRequest("close"))


async def _build(svc: Services, uid: str) -> Actor:
    worker = await worker_actor(leaf_point(svc, 21)[0])
    start = svc.clock.now
    a = await _open(svc, f"{uid}a", worker, 1)
    await _finish(svc, a, worker)
    svc.clock.now = start
    b = await _open(svc, f"{uid}b", worker, 2)
    svc.clock.advance(days=30)
    await _finish(svc, b, worker)
    svc.clock.now = start
    c = await _open(svc, f"{uid}c", worker, 3)
    first = (await Case.get(case_no=c)).deadline_at
    await act(svc.ctx, c, worker, ActionRequest("request_extension", note="换灯杆", params={"hours": 24}))
    await act(svc.ctx, c, DESK, ActionRequest("approve_extension"))
    svc.clock.now = first + timedelta(minutes=1)
    await _finish(svc, c, worker)
    svc.clock.now = start
    d = await _open(svc, f"{uid}d", worker, 4)
    first = (await Case.get(case_no=d)).deadline_at
    await act(svc.ctx, d, DESK, ActionRequest("suspend", note="等施工许可"))
    svc.clock.advance(hours=5)
    await act(svc.ctx, d, DESK, ActionRequest("resume"))
    svc.clock.now = first + timedelta(hours=1)
    await _finish(svc, d, worker)
    svc.clock.now = start
    e = await _open(svc, f"{uid}e", worker, 5)
    await _finish(svc, e, worker)
    await act(svc.ctx, e, DESK, ActionRequest("reopen", note="居民说没修好"))
    svc.clock.now = start
    f = (await open_case(svc.ctx, NewReport("test", f"{uid}f", "路灯坏了晚上很黑", *leaf_point(svc, 21)[1:]))).case
    await act(svc.ctx, f.case_no, DESK, ActionRequest("register"))
    await act(svc.ctx, f.case_no, DESK, ActionRequest("void", note="虚假上报", params={"reason": "false_report"}))
    svc.clock.now = start
    g = await _open(svc, f"{uid}g", worker, 6)
    svc.clock.advance(days=40)  # far past every deadline: only G (and reopened E) are open
    case = await Case.get(case_no=g)
    await sweeper._raise_level(svc.ctx, case, 1, 2.0)
    return worker


async def test_every_figure_of_a_hand_built_set(svc: Services, uid: str) -> None:
    worker = await _build(svc, uid)
    rows = await case_stats(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid))
    mine = [r for r in rows if r.key == str(worker.user_id)]
    assert len(mine) == 1, rows
    r = mine[0]
    assert (r.received, r.registered, r.closed, r.on_time) == (6, 6, 4, 3)  # A C D on time, B late
    assert (r.closing_rate, r.on_time_rate) == (round(4 / 6, 4), 0.75)
    assert r.avg_response_hours == 3.5  # 1..6 h over the six accepted
    assert r.p90_response_hours == 6.0  # nearest rank: ceil(0.9 × 6) = 6th
    assert (r.supervised, r.overdue_now) == (1, 2)  # G 督办'd; G and reopened E past their deadlines
    assert (r.reopened, r.reopen_rate) == (1, 0.2)  # E over the five closed at least once
    assert (r.voided, r.void_rate) == (0, 0.0)
    # F, voided before dispatch, has no worker: the None group.
    [f] = [x for x in rows if x.key is None]
    assert (f.received, f.registered, f.closed, f.voided, f.void_rate) == (1, 1, 0, 1, 1.0)
    assert (f.closing_rate, f.on_time_rate, f.avg_response_hours, f.reopen_rate) == (0.0, None, None, None)
    assert len(rows) == 2


async def test_scope_hides_other_streets(svc: Services, uid: str) -> None:
    await _build(svc, uid)
    code = leaf_point(svc, 21)[0]
    stranger = Actor("user:desk2", "desk2", Role.DISPATCHER, ("440307999",), 999_998)
    assert await case_stats(svc.ctx, stranger, CaseQuery(by="street", reporter_prefix=uid)) == []
    rows = await case_stats(svc.ctx, ADMIN, CaseQuery(by="street", reporter_prefix=uid))
    assert [(x.key, x.received) for x in rows] == [(code[:9], 7)]
    months = await case_stats(svc.ctx, ADMIN, CaseQuery(by="month", reporter_prefix=uid))
    assert [(x.key, x.received) for x in months] == [("2026-11", 7)]


async def test_score_and_window_of_the_hand_built_set(svc: Services, uid: str) -> None:
    worker = await _build(svc, uid)
    rows = await case_report(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid), Weights())
    mine = next(r for r in rows if r.figures.key == str(worker.user_id))
    parts = {p.name: (p.value, p.points) for p in mine.score.parts}
    # satisfaction has no data (no survey answered): the other four weights (40+15+10+10) scale up.
    assert parts["satisfaction"] == (None, 0.0)
    assert parts["on_time"] == (0.75, round(100 * 40 * 0.75 / 75, 2))
    assert parts["reopen"] == (0.8, round(100 * 15 * 0.8 / 75, 2))
    assert parts["supervise"] == (round(5 / 6, 4), round(100 * 10 * 5 / 6 / 75, 2))  # one 督办 over six
    assert parts["volume"] == (1.0, round(100 * 10 / 75, 2))  # closed the most (4)
    assert mine.score.score == round(100 * (30 + 12 + 50 / 6 + 10) / 75, 2)
    voided = next(r for r in rows if r.figures.key is None)  # F: only supervise (1) and volume (0) have data
    assert voided.score.score == 50.0
    only_volume = await case_report(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid),
                                    Weights(on_time=0, satisfaction=0, reopen=0, supervise=0, volume=1))
    assert sorted(r.score.score or 0 for r in only_volume) == [0.0, 100.0]
    day = datetime(2026, 11, 18, tzinfo=SHANGHAI)
    inside = await case_stats(svc.ctx, ADMIN, CaseQuery("worker", day, day + timedelta(days=1), uid))
    assert sum(r.received for r in inside) == 7
    for since, until in ((day + timedelta(days=1), None), (None, day)):
        assert await case_stats(svc.ctx, ADMIN, CaseQuery("worker", since, until, uid)) == []


async def test_month_is_the_local_month_of_receipt(svc: Services, uid: str) -> None:
    _, lng, lat = leaf_point(svc, 21)
    svc.clock.now = datetime(2026, 11, 30, 17, 30, tzinfo=SHANGHAI) - timedelta(hours=1)  # 16:30 local
    await open_case(svc.ctx, NewReport("test", f"{uid}-nov", "路灯坏了晚上很黑", lng, lat))
    svc.clock.now = datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)  # still 30 November in UTC
    await open_case(svc.ctx, NewReport("test", f"{uid}-dec", "路灯坏了晚上很黑", lng, lat))
    months = await case_stats(svc.ctx, ADMIN, CaseQuery(by="month", reporter_prefix=uid))
    assert sorted((r.key, r.received) for r in months) == [("2026-11", 1), ("2026-12", 1)]


async def test_handling_time_area_and_ranking(svc: Services, uid: str) -> None:
    worker = await _build(svc, uid)
    rows = await case_stats(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid))
    r = next(x for x in rows if x.key == str(worker.user_id))
    # Handled at accept + 0 (A C E at once), B after 30 days, D after its 5 h suspension and more; G never.
    assert r.avg_handling_hours is not None and r.p90_handling_hours is not None
    handled = await _handling_hours(svc, uid)
    assert r.avg_handling_hours == round(sum(handled) / len(handled), 3)
    assert r.p90_handling_hours == round(sorted(handled)[-1], 3)  # nearest rank: ceil(0.9 × 5) = 5th
    code = leaf_point(svc, 21)[0]
    inside = await case_stats(svc.ctx, ADMIN, CaseQuery(by="grid", reporter_prefix=uid, area=code[:9]))
    assert sum(x.received for x in inside) == 7
    assert await case_stats(svc.ctx, ADMIN, CaseQuery(by="grid", reporter_prefix=uid, area="999999999")) == []
    report = await case_report(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid), Weights())
    best = ranked(report, "score")
    assert [x.figures.key for x in best] == [str(worker.user_id), None]  # 77.78 before 50.0
    by_void = ranked(report, "void_rate")  # lower is better: the worker (0 %) before the voided group (100 %)
    assert [x.figures.key for x in by_void] == [str(worker.user_id), None]
    assert [x.figures.key for x in ranked(report, "satisfaction_rate")] == [None, str(worker.user_id)]  # no data
    with pytest.raises(Invalid):
        ranked(report, "drop table")


async def _handling_hours(svc: Services, uid: str) -> list[float]:
    """Accept (else dispatch) → first handle, read from the events (what the SQL must agree with)."""
    out = []
    for case in await Case.filter(reporter__startswith=uid):
        events = await CaseEvent.filter(case_no=case.case_no).order_by("at", "id")
        start = next((e.at for e in events if e.action == "accept"), None) or \
            next((e.at for e in events if e.action == "dispatch"), None)
        end = next((e.at for e in events if e.action == "handle"), None)
        if start is not None and end is not None:
            out.append((end - start).total_seconds() / 3600)
    return out


async def test_handling_time_known_answers(svc: Services, uid: str) -> None:
    """Two cases handled 2 h and 10 h after acceptance: mean 6 h, p90 10 h."""
    worker = await worker_actor(leaf_point(svc, 21)[0])
    start = svc.clock.now
    for n, hours in (("x", 2), ("y", 10)):
        svc.clock.now = start
        no = await _open(svc, f"{uid}{n}", worker, 1)
        svc.clock.advance(hours=hours)
        await act(svc.ctx, no, worker, ActionRequest("handle", note="修好了"))
    [r] = await case_stats(svc.ctx, ADMIN, CaseQuery(by="worker", reporter_prefix=uid))
    assert (r.avg_handling_hours, r.p90_handling_hours) == (6.0, 10.0)
    assert (r.avg_response_hours, r.p90_response_hours) == (1.0, 1.0)
