"""Rates by dimension from one grouped query, the 不满意率 > 30% flag and its minimum sample."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Invalid
from intake.store.models import Rating
from intake.store.models_surveys import Survey
from intake.surveys.stats import StatsQuery, by_dimension
from tests.conftest import Services

ADMIN = Actor("user:admin", "admin", Role.ADMIN)
CLOSED = datetime(2031, 3, 5, 2, 0, tzinfo=UTC)  # a month no other test closes cases in
MARCH = StatsQuery("grid", since=datetime(2031, 3, 1, tzinfo=UTC), until=datetime(2031, 4, 1, tzinfo=UTC))


async def seed(uid: str, grid: str, scores: Sequence[int | None], *, withdrawn: int = 0, assignee: int | None = None,
               due: datetime | None = None) -> None:
    """One survey per score (None: never answered), plus ``withdrawn`` surveys that must not count."""
    due = due or CLOSED + timedelta(hours=24)
    for n, score in enumerate([*scores, *([None] * withdrawn)]):
        status = "withdrawn" if n >= len(scores) else "answered" if score else "pending"
        await Survey.create(case_no=f"S{uid}{n:03d}", round=0, channel="wechat", reporter=f"r{uid}{n}",
                            status=status, grid_code=grid, category_code="01037", department="d-" + uid,
                            assignee_user_id=assignee, month="2031-03", closed_at=CLOSED, due_at=due,
                            expires_at=due + timedelta(days=7), created_at=CLOSED)
        if score:
            await Rating.create(case_no=f"S{uid}{n:03d}", channel="wechat", reporter=f"r{uid}{n}", round=0,
                                score=score, created_at=due)


async def test_rates_and_flags_by_grid(svc: Services, uid: str) -> None:
    svc.clock.now = datetime(2031, 3, 20, tzinfo=UTC)
    unhappy, happy, small = f"U{uid}", f"H{uid}", f"M{uid}"
    # 10 answers, 4 不满意 (40% > 30%), 2 never answered, 3 withdrawn (reopened, not counted).
    await seed(uid + "u", unhappy, [3, 3, 3, 3, 1, 1, 1, 2, 2, 2, None, None], withdrawn=3)
    await seed(uid + "h", happy, [1] * 9 + [3] * 3)  # 25%: not flagged
    await seed(uid + "m", small, [3, 3, 1])  # 67%, but only 3 answers: below the minimum sample
    rows = {r.key: r for r in await by_dimension(svc.ctx, ADMIN, MARCH)}
    u = rows[unhappy]
    assert (u.surveys, u.answered, u.satisfied, u.fairly, u.dissatisfied) == (12, 10, 3, 3, 4)
    assert (u.response_rate, u.satisfaction_rate, u.dissatisfaction_rate, u.flagged) == (0.8333, 0.6, 0.4, True)
    assert (rows[happy].dissatisfaction_rate, rows[happy].flagged) == (0.25, False)
    assert (rows[small].dissatisfaction_rate, rows[small].flagged) == (0.6667, False)
    relaxed = {r.key: r for r in await by_dimension(svc.ctx, ADMIN, StatsQuery(
        "grid", MARCH.since, MARCH.until, min_sample=3))}
    assert relaxed[small].flagged and relaxed[unhappy].flagged and not relaxed[happy].flagged


async def test_workers_months_and_what_is_not_yet_sent(svc: Services, uid: str) -> None:
    svc.clock.now = datetime(2031, 3, 20, tzinfo=UTC)
    await seed(uid, f"W{uid}", [3] * 6 + [1] * 4, assignee=990_000_001)
    await seed(uid + "f", f"W{uid}", [None] * 5, due=datetime(2031, 3, 25, tzinfo=UTC))  # still queued: not counted
    workers = {r.key: r for r in await by_dimension(svc.ctx, ADMIN, StatsQuery(
        "assignee", MARCH.since, MARCH.until))}
    assert workers["990000001"].flagged and workers["990000001"].surveys == 10
    months = {r.key: r for r in await by_dimension(svc.ctx, ADMIN, StatsQuery("month", MARCH.since, MARCH.until))}
    assert set(months) == {"2031-03"}
    grid = {r.key: r for r in await by_dimension(svc.ctx, ADMIN, MARCH)}[f"W{uid}"]
    assert (grid.surveys, grid.answered) == (10, 10)
    departments = {r.key for r in await by_dimension(svc.ctx, ADMIN, StatsQuery("department", MARCH.since))}
    assert f"d-{uid}" in departments
    nothing = await by_dimension(svc.ctx, ADMIN, StatsQuery("grid", until=datetime(2000, 1, 1, tzinfo=UTC)))
    assert nothing == []


async def test_a_street_dispatcher_sees_only_their_grids(svc: Services, uid: str) -> None:
    svc.clock.now = datetime(2031, 3, 20, tzinfo=UTC)
    await seed(uid + "a", f"A{uid}", [1])
    await seed(uid + "b", f"B{uid}", [3])
    street = Actor("user:s", "street", Role.DISPATCHER, grids=(f"A{uid}",))
    assert [r.key for r in await by_dimension(svc.ctx, street, MARCH)] == [f"A{uid}"]


async def test_unknown_dimension(svc: Services) -> None:
    with pytest.raises(Invalid):
        await by_dimension(svc.ctx, ADMIN, StatsQuery("reporter; DROP TABLE surveys"))
