"""The statistics table a page or the API shows: case figures, the surveys' 满意率 and the 考核 score per row."""

from __future__ import annotations

from dataclasses import dataclass

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.stats.cases import CaseRow, case_stats
from intake.stats.query import CaseQuery
from intake.stats.score import Score, scores
from intake.stats.weights import Weights
from intake.surveys.stats import StatsQuery, by_dimension

# Our dimension → the surveys' (street and community have none: their score leaves satisfaction out).
SURVEY_DIMENSION = {"grid": "grid", "category": "category", "department": "department", "worker": "assignee",
                    "month": "month"}


@dataclass(frozen=True, slots=True)
class ReportRow:
    figures: CaseRow
    satisfaction_rate: float | None  # 满意率 of the surveys of cases closed in the window
    score: Score


async def case_report(ctx: CaseContext, actor: Actor, query: CaseQuery, weights: Weights) -> list[ReportRow]:
    rows = await case_stats(ctx, actor, query)
    satisfaction = await _satisfaction(ctx, actor, query)
    return [ReportRow(r, satisfaction.get(r.key), s) for r, s in zip(rows, scores(rows, satisfaction, weights),
                                                                      strict=True)]


async def _satisfaction(ctx: CaseContext, actor: Actor, query: CaseQuery) -> dict[str | None, float | None]:
    by = SURVEY_DIMENSION.get(query.by)
    if by is None or query.reporter_prefix is not None:  # surveys cannot be narrowed to a reporter set
        return {}
    rows = await by_dimension(ctx, actor, StatsQuery(by=by, since=query.since, until=query.until))
    return {r.key: r.satisfaction_rate for r in rows}
