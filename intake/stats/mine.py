"""A worker's own numbers this month (我的): tasks done, 按期办结率, 满意率 — the statistics' own query.

Read through ``case_report`` grouped by worker (the assignee), in the worker's own scope, for the
calendar month in Beijing time: the same figures the console's statistics and 考核 show, never a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.sla.calendar import to_shanghai
from intake.stats.query import CaseQuery
from intake.stats.report import case_report
from intake.stats.weights import Weights


@dataclass(frozen=True, slots=True)
class MyMonth:
    month: str  # "2026-12"
    done: int  # closed in the month (of the cases received in it)
    on_time_rate: float | None
    satisfaction_rate: float | None
    score: float | None


def month_window(now: datetime) -> tuple[datetime, datetime]:
    """This calendar month in Beijing time, as [start, end)."""
    start = to_shanghai(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


async def my_month(ctx: CaseContext, actor: Actor, weights: Weights, now: datetime) -> MyMonth:
    since, until = month_window(now)
    rows = await case_report(ctx, actor, CaseQuery(by="worker", since=since, until=until), weights)
    mine = next((r for r in rows if r.figures.key == str(actor.user_id)), None)
    if mine is None:
        return MyMonth(f"{since:%Y-%m}", 0, None, None, None)
    return MyMonth(f"{since:%Y-%m}", mine.figures.closed, mine.figures.on_time_rate, mine.satisfaction_rate,
                   mine.score.score)
