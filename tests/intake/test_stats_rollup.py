"""The daily rollup gives the live tables' answer: random cases over a few days in a window of their own
(a far-off date from the test's uid, since the database is shared), every dimension, whole and partial
days, before and after a rolled-up day's case changes; and the hand-built set's known answers through it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, NewReport
from intake.cases.states import OPEN
from intake.cases.workflow import act
from intake.sla.calendar import SHANGHAI
from intake.stats.cases import DIMENSIONS, case_stats
from intake.stats.query import CaseQuery
from intake.stats.rollup import plan, refresh, start_of
from intake.store.models import Case, CaseEvent
from tests.conftest import Services
from tests.intake.test_cases_lifecycle import leaf_point, worker_actor
from tests.intake.test_stats_cases import ADMIN, DESK, _build

TEXTS = ("路灯坏了晚上很黑", "路边有人乱扔垃圾，暴露垃圾没人管", "井盖丢了很危险")


def _far_day(uid: str) -> datetime:
    """A Monday 09:00 local between 2040 and 2090, unique enough to the test."""
    monday = datetime(2040, 1, 2, 9, tzinfo=SHANGHAI)
    return monday + timedelta(weeks=int(uid, 16) % 2600)


async def _random_case(svc: Services, rng: random.Random, uid: str, n: int) -> str:
    code, lng, lat = leaf_point(svc, rng.choice((3, 21, 40)))
    no = (await open_case(svc.ctx, NewReport("test", f"{uid}{n}", rng.choice(TEXTS), lng, lat))).case.case_no
    worker = await worker_actor(code)
    steps = rng.randint(0, 6)
    status = (await Case.get(case_no=no)).status  # a self-handled category is dispatched at once
    if steps >= 1 and status == "reported":
        await act(svc.ctx, no, DESK, ActionRequest("register"))
    if steps >= 2 and status in ("reported", "registered"):
        await act(svc.ctx, no, DESK, ActionRequest("dispatch", params={"user_id": worker.user_id}))
    case = await Case.get(case_no=no)
    if steps >= 3 and case.status == "dispatched" and case.assignee_user_id == worker.user_id:
        svc.clock.advance(hours=rng.uniform(0.1, 9))
        await act(svc.ctx, no, worker, ActionRequest("accept"))
    if steps >= 4 and (await Case.get(case_no=no)).status == "handling":
        svc.clock.advance(hours=rng.uniform(0.1, 60))
        await act(svc.ctx, no, worker, ActionRequest("handle", note="修好了"))
    if steps >= 5 and (await Case.get(case_no=no)).status == "handled":
        await act(svc.ctx, no, DESK, ActionRequest("check"))
        await act(svc.ctx, no, DESK, ActionRequest("close"))
    if steps == 6 and rng.random() < 0.5 and (await Case.get(case_no=no)).status == "closed":
        await act(svc.ctx, no, DESK, ActionRequest("reopen", note="居民说没修好"))
    if steps == 1 and rng.random() < 0.5:
        await act(svc.ctx, no, DESK, ActionRequest("void", note="虚假上报", params={"reason": "false_report"}))
    return no


async def _same(svc: Services, since: datetime, until: datetime) -> int:
    """Every dimension gives the same rows through the rollup as live; the cases counted."""
    total = 0
    for by in DIMENSIONS:
        query = CaseQuery(by, since, until)
        rolled, live = await case_stats(svc.ctx, ADMIN, query), await case_stats(svc.ctx, ADMIN, query, rollup=False)
        assert rolled == live, by
        total = sum(r.received for r in live)
    return total


async def test_rollup_and_live_give_the_same_report(svc: Services, uid: str) -> None:
    rng, first = random.Random(uid), _far_day(uid)
    made: list[str] = []
    for day in range(3):
        for _ in range(rng.randint(4, 7)):
            svc.clock.now = first + timedelta(days=day, hours=rng.uniform(0, 12))
            made.append(await _random_case(svc, rng, uid, len(made)))
    svc.clock.now = first + timedelta(days=5)
    await refresh(svc.clock(), max_days=10)
    day0 = start_of(first.date())
    usable, _ = await plan(day0, day0 + timedelta(days=3), svc.clock())
    assert usable == [first.date() + timedelta(days=d) for d in range(3)]  # all three days from the rollup
    assert await _same(svc, day0, day0 + timedelta(days=3)) == len(made)
    partial = await _same(svc, first + timedelta(hours=6), day0 + timedelta(days=2, hours=20))  # live edges
    assert 0 < partial <= len(made)
    # A case of a rolled-up day is 督办'd: that day is read live (the new count shows) until the job rebuilds it.
    window = CaseQuery("street", day0, day0 + timedelta(days=3))
    before = sum(r.supervised for r in await case_stats(svc.ctx, ADMIN, window))
    open_ones = [no for no in made if (await Case.get(case_no=no)).status in {str(s) for s in OPEN}]
    assert open_ones, "the random set has open cases"
    changed = await Case.get(case_no=open_ones[0])
    await act(svc.ctx, changed.case_no, DESK, ActionRequest("supervise", note="请尽快处理"))
    moved = (await CaseEvent.get(case_no=changed.case_no, action="open")).at.astimezone(SHANGHAI).date()
    assert moved not in (await plan(day0, day0 + timedelta(days=3), svc.clock()))[0]
    assert sum(r.supervised for r in await case_stats(svc.ctx, ADMIN, window)) == before + 1
    assert await _same(svc, day0, day0 + timedelta(days=3)) == len(made)
    await refresh(svc.clock(), max_days=10)
    assert moved in (await plan(day0, day0 + timedelta(days=3), svc.clock()))[0]
    assert await _same(svc, day0, day0 + timedelta(days=3)) == len(made)


async def test_known_answers_through_the_rollup(svc: Services, uid: str) -> None:
    start = _far_day(uid)
    svc.clock.now = start
    worker = await _build(svc, uid)  # ends 40 days on: every day of the set is in the past
    await refresh(svc.clock(), max_days=45)
    day = start_of(start.date())
    assert start.date() in (await plan(day, day + timedelta(days=1), svc.clock()))[0]
    rows = await case_stats(svc.ctx, ADMIN, CaseQuery("worker", day, day + timedelta(days=1)))
    assert rows == await case_stats(svc.ctx, ADMIN, CaseQuery("worker", day, day + timedelta(days=1)), rollup=False)
    r = next(x for x in rows if x.key == str(worker.user_id))
    assert (r.received, r.registered, r.closed, r.on_time) == (6, 6, 4, 3)
    assert (r.avg_response_hours, r.p90_response_hours, r.supervised, r.overdue_now) == (3.5, 6.0, 1, 2)
    assert (r.reopened, r.reopen_rate, r.voided) == (1, 0.2, 0)
    [f] = [x for x in rows if x.key is None]
    assert (f.received, f.registered, f.voided) == (1, 1, 1)
    assert start.astimezone(UTC) < svc.clock()
