"""Satisfaction and response rates by grid, category, department, assignee or month: one grouped query.

Counted: surveys that went out (or were answered before they did), not those
withdrawn because the case was reopened. 满意率 = (满意 + 基本满意) / answers,
不满意率 = 不满意 / answers, 回复率 = answers / surveys. A row is flagged when its
不满意率 exceeds ``flag_rate`` over at least ``min_sample`` answers: below that, one
unhappy resident moves the rate by more than ten points and flags are noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.errors import Invalid
from intake.store.db import fetch
from intake.store.models import Department, User

DIMENSIONS = {"street": "substr(s.grid_code, 1, 9)", "community": "substr(s.grid_code, 1, 12)",
              "grid": "s.grid_code", "category": "s.category_code", "department": "s.department",
              "assignee": "s.assignee_user_id", "month": "s.month"}

_SQL = """
SELECT {col} AS k, COUNT(*) AS surveys, COUNT(r.id) AS answered,
       SUM(CASE WHEN r.score = 1 THEN 1 ELSE 0 END) AS satisfied,
       SUM(CASE WHEN r.score = 2 THEN 1 ELSE 0 END) AS fairly,
       SUM(CASE WHEN r.score = 3 THEN 1 ELSE 0 END) AS dissatisfied
FROM surveys s
LEFT JOIN ratings r ON r.case_no = s.case_no AND r.channel = s.channel AND r.reporter = s.reporter
                   AND r.round = s.round
WHERE s.status <> 'withdrawn' AND (s.due_at <= ? OR s.status = 'answered') {where}
GROUP BY {col}
ORDER BY COUNT(*) DESC, {col}
LIMIT 1000
"""


@dataclass(frozen=True, slots=True)
class StatsQuery:
    by: str
    since: datetime | None = None  # closing time, inclusive
    until: datetime | None = None  # closing time, exclusive
    min_sample: int | None = None
    area: str | None = None  # a grid-code prefix: one street's, community's or cell's surveys


@dataclass(frozen=True, slots=True)
class Row:
    key: str | None
    label: str | None
    surveys: int
    answered: int
    satisfied: int
    fairly: int
    dissatisfied: int
    response_rate: float | None
    satisfaction_rate: float | None
    dissatisfaction_rate: float | None
    flagged: bool


async def by_dimension(ctx: CaseContext, actor: Actor, query: StatsQuery) -> list[Row]:
    col = DIMENSIONS.get(query.by)
    if col is None:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=sorted(DIMENSIONS))
    where, params = _filters(actor, query)
    rows = await fetch(_SQL.format(col=col, where=where), [ctx.clock().astimezone(UTC), *params])
    minimum = query.min_sample if query.min_sample is not None else ctx.surveys.min_sample
    labels = await _labels(ctx, query.by, [r["k"] for r in rows])
    return [_row(r, labels, minimum, ctx.surveys.flag_rate) for r in rows]


def _filters(actor: Actor, query: StatsQuery) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if query.since is not None:
        parts.append("s.closed_at >= ?")
        params.append(query.since.astimezone(UTC))
    if query.until is not None:
        parts.append("s.closed_at < ?")
        params.append(query.until.astimezone(UTC))
    if query.area is not None:
        parts.append("s.grid_code LIKE ?")
        params.append(query.area.replace("%", "").replace("_", "") + "%")
    # a street's dispatcher (or supervisor) sees the street's grids
    if actor.grids and actor.role in ("dispatcher", "supervisor", "worker"):
        parts.append("(" + " OR ".join("s.grid_code LIKE ?" for _ in actor.grids) + ")")
        params += [f"{g}%" for g in actor.grids]
    return "".join(f" AND {p}" for p in parts), params


def _row(r: dict[str, Any], labels: dict[str, str], minimum: int, flag_rate: float) -> Row:
    surveys, answered = int(r["surveys"]), int(r["answered"])
    satisfied, fairly, unhappy = (int(r[k] or 0) for k in ("satisfied", "fairly", "dissatisfied"))
    key = None if r["k"] is None else str(r["k"])
    unhappy_rate = unhappy / answered if answered else None
    return Row(key, labels.get(key) if key else None, surveys, answered, satisfied, fairly, unhappy,
               _ratio(answered, surveys), _ratio(satisfied + fairly, answered), _ratio(unhappy, answered),
               answered >= minimum and unhappy_rate is not None and unhappy_rate > flag_rate)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def _labels(ctx: CaseContext, by: str, keys: list[Any]) -> dict[str, str]:
    present = [k for k in keys if k is not None]
    if by == "grid":
        index = ctx.grid.index
        return {str(k): index.cell(str(k)).name for k in present if str(k) in index}
    if by == "category":
        found = {str(k): ctx.taxonomy.catalog.find(str(k)) for k in present}
        return {k: c.name_zh for k, c in found.items() if c is not None}
    if by == "assignee":
        users = await User.filter(id__in=[int(k) for k in present]).values_list("id", "name")
        return {str(i): str(n) for i, n in users}
    if by == "department":
        departments = await Department.filter(code__in=[str(k) for k in present]).values_list("code", "name")
        return {str(c): str(n) for c, n in departments}
    return {}
