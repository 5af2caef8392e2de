"""The statistics table a page or the API shows: case figures, the surveys' 满意率 / 不满意率 and the 考核 score
per row, optionally ranked by one figure.

满意率 / 不满意率 are :mod:`intake.surveys.stats`' own (surveys of cases closed in the window); a row is
``flagged`` when its 不满意率 is above ``GRIDLINE_SURVEY_FLAG_RATE`` (default 30 %) over at least
``GRIDLINE_SURVEY_MIN_SAMPLE`` answers (default 10) — fewer answers and one unhappy resident would flag it.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.errors import Invalid
from intake.stats.cases import CaseRow, case_stats
from intake.stats.query import CaseQuery
from intake.stats.score import Score, scores
from intake.stats.weights import Weights
from intake.surveys.stats import Row as SurveyRow
from intake.surveys.stats import StatsQuery, by_dimension

# Our dimension → the surveys'.
SURVEY_DIMENSION = {"street": "street", "community": "community", "grid": "grid", "category": "category",
                    "department": "department", "worker": "assignee", "month": "month"}
# The figures a table may be ranked by; for these a higher number is worse, so a ranking puts the best first.
RANKABLE = ("score", "received", "closed", "closing_rate", "on_time_rate", "satisfaction_rate",
            "dissatisfaction_rate", "avg_response_hours", "avg_handling_hours", "overdue_now", "supervised",
            "reopen_rate", "void_rate")
LOWER_IS_BETTER = frozenset({"dissatisfaction_rate", "avg_response_hours", "avg_handling_hours", "overdue_now",
                             "supervised", "reopen_rate", "void_rate"})


@dataclass(frozen=True, slots=True)
class ReportRow:
    figures: CaseRow
    satisfaction_rate: float | None  # 满意率 of the surveys of cases closed in the window
    dissatisfaction_rate: float | None  # 不满意率
    answered: int  # survey answers behind the two rates
    flagged: bool  # 不满意率 above the flag rate with enough answers
    score: Score

    def figure(self, name: str) -> float | None:
        if name == "score":
            return self.score.score
        if name in ("satisfaction_rate", "dissatisfaction_rate"):
            return getattr(self, name)  # type: ignore[no-any-return]
        value = getattr(self.figures, name)
        return None if value is None else float(value)


async def case_report(ctx: CaseContext, actor: Actor, query: CaseQuery, weights: Weights) -> list[ReportRow]:
    rows = await case_stats(ctx, actor, query)
    surveys = await _surveys(ctx, actor, query)
    satisfaction = {k: s.satisfaction_rate for k, s in surveys.items()}
    return [ReportRow(r, _of(surveys.get(r.key)).satisfaction_rate, _of(surveys.get(r.key)).dissatisfaction_rate,
                      _of(surveys.get(r.key)).answered, _of(surveys.get(r.key)).flagged, s)
            for r, s in zip(rows, scores(rows, satisfaction, weights), strict=True)]


def ranked(rows: list[ReportRow], by: str) -> list[ReportRow]:
    """The rows best first by one figure (rows without the figure last, then by key): a ranking."""
    if by not in RANKABLE:
        raise Invalid(f"order must be one of {', '.join(RANKABLE)}", allowed=list(RANKABLE))
    sign = 1.0 if by in LOWER_IS_BETTER else -1.0

    def key(row: ReportRow) -> tuple[bool, float, str]:
        value = row.figure(by)
        return value is None, sign * (value or 0.0), row.figures.key or ""
    return sorted(rows, key=key)


_NONE = SurveyRow(None, None, 0, 0, 0, 0, 0, None, None, None, False)


def _of(row: SurveyRow | None) -> SurveyRow:
    return _NONE if row is None else row


async def _surveys(ctx: CaseContext, actor: Actor, query: CaseQuery) -> dict[str | None, SurveyRow]:
    if query.reporter_prefix is not None:  # surveys cannot be narrowed to a reporter set
        return {}
    rows = await by_dimension(ctx, actor, StatsQuery(by=SURVEY_DIMENSION[query.by], since=query.since,
                                                     until=query.until, area=query.area))
    return {r.key: r for r in rows}
