"""Case figures per street, community, grid, worker, department, category or month: one grouped query.

The cohort is the cases *received* (opened) in ``[since, until)``, within the caller's scope
(:func:`intake.cases.scope.read_filter`). 办结率 = closed / registered; 按期办结率 = closed on or before
``deadline_at`` / closed — ``deadline_at`` is the deadline in force at closing, since approved extensions
and resumed suspensions move it. Response time is report → first ``accept`` event; handling time is
first ``accept`` (or, never accepted, first ``dispatch``) → first ``handle``; p90s are nearest-rank.
Reopen rate = cases reopened / cases closed at least once; void rate = voided / received. 督办 counts
``supervise`` events. "Overdue now" is :mod:`intake.sla.light`'s own rule (:mod:`intake.stats.overdue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.errors import Invalid
from intake.stats.overdue import overdue_now
from intake.stats.query import CaseQuery, prefix
from intake.store.db import dialect, fetch_report
from intake.store.models import Case

# SQL column per dimension; street and community are prefixes of the grid code (9 and 12 digits).
DIMENSIONS = {"street": "substr(c.grid_code, 1, 9)", "community": "substr(c.grid_code, 1, 12)",
              "grid": "c.grid_code", "worker": "c.assignee_user_id", "department": "c.assignee_department",
              "category": "c.category_code", "month": "{month}"}
_MONTH = {"sqlite": "strftime('%Y-%m', ev.reported_at, '+8 hours')",
          "postgres": "to_char(ev.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"}
_SECONDS = {"sqlite": "(julianday({a}) - julianday({b})) * 86400", "postgres": "EXTRACT(EPOCH FROM ({a} - {b}))"}

_SQL = """
WITH ev AS (
  SELECT case_no, MIN(CASE WHEN action = 'open' THEN at END) AS reported_at,
         MIN(CASE WHEN action = 'accept' THEN at END) AS accepted_at,
         MIN(CASE WHEN action = 'dispatch' THEN at END) AS dispatched_at,
         MIN(CASE WHEN action = 'handle' THEN at END) AS handled_at,
         SUM(CASE WHEN action = 'register' THEN 1 ELSE 0 END) AS registers,
         SUM(CASE WHEN action = 'supervise' THEN 1 ELSE 0 END) AS supervised,
         SUM(CASE WHEN action = 'reopen' THEN 1 ELSE 0 END) AS reopens
  FROM case_events
  WHERE action IN ('open', 'accept', 'dispatch', 'handle', 'register', 'supervise', 'reopen')
    AND case_no IN (SELECT c.case_no FROM cases c WHERE 1 = 1 {where}) GROUP BY case_no
), base AS (
  SELECT {key} AS k, c.status, c.closed_at, c.deadline_at, ev.registers, ev.supervised, ev.reopens,
         {response} AS response_s, {handling} AS handling_s
  FROM cases c JOIN ev ON ev.case_no = c.case_no WHERE 1 = 1 {window}
)
{ranks}
SELECT b.k, COUNT(*) AS received, SUM(CASE WHEN b.registers > 0 THEN 1 ELSE 0 END) AS registered,
       SUM(CASE WHEN b.status = 'closed' THEN 1 ELSE 0 END) AS closed,
       SUM(CASE WHEN b.status = 'closed' AND b.closed_at <= b.deadline_at THEN 1 ELSE 0 END) AS on_time,
       AVG(b.response_s) AS avg_response_s, {p90_response} AS p90_response_s,
       AVG(b.handling_s) AS avg_handling_s, {p90_handling} AS p90_handling_s,
       SUM(b.supervised) AS supervised,
       SUM(CASE WHEN b.reopens > 0 THEN 1 ELSE 0 END) AS reopened,
       SUM(CASE WHEN b.status = 'closed' OR b.reopens > 0 THEN 1 ELSE 0 END) AS ever_closed,
       SUM(CASE WHEN b.status = 'voided' THEN 1 ELSE 0 END) AS voided
FROM base b {joins}
GROUP BY b.k ORDER BY COUNT(*) DESC, b.k LIMIT 1000
"""

# p90 (nearest rank: the smallest value with at least 90 % at or below it). PostgreSQL has it as an
# ordered-set aggregate (no sort of its own, no join); SQLite ranks with window functions and joins back.
_RANKED = """, ranked AS (
  SELECT k, response_s, ROW_NUMBER() OVER (PARTITION BY k ORDER BY response_s) AS rn,
         COUNT(*) OVER (PARTITION BY k) AS n FROM base WHERE response_s IS NOT NULL
), p90 AS (SELECT k, MIN(response_s) AS p90_s FROM ranked WHERE rn * 10 >= n * 9 GROUP BY k
), hranked AS (
  SELECT k, handling_s, ROW_NUMBER() OVER (PARTITION BY k ORDER BY handling_s) AS rn,
         COUNT(*) OVER (PARTITION BY k) AS n FROM base WHERE handling_s IS NOT NULL
), h90 AS (SELECT k, MIN(handling_s) AS p90_s FROM hranked WHERE rn * 10 >= n * 9 GROUP BY k)"""
_P90 = {
    "sqlite": {"ranks": _RANKED, "p90_response": "MAX(p90.p90_s)", "p90_handling": "MAX(h90.p90_s)",
               "joins": "LEFT JOIN p90 ON p90.k = b.k OR (p90.k IS NULL AND b.k IS NULL) "
                        "LEFT JOIN h90 ON h90.k = b.k OR (h90.k IS NULL AND b.k IS NULL)"},
    "postgres": {"ranks": "", "p90_response": "percentile_disc(0.9) WITHIN GROUP (ORDER BY b.response_s)",
                 "p90_handling": "percentile_disc(0.9) WITHIN GROUP (ORDER BY b.handling_s)", "joins": ""},
}


@dataclass(frozen=True, slots=True)
class CaseRow:
    key: str | None
    received: int
    registered: int
    closed: int
    on_time: int
    closing_rate: float | None  # 办结率
    on_time_rate: float | None  # 按期办结率
    avg_response_hours: float | None
    p90_response_hours: float | None
    avg_handling_hours: float | None  # accept (or dispatch) → handled
    p90_handling_hours: float | None
    overdue_now: int
    supervised: int  # 督办
    reopened: int
    reopen_rate: float | None
    voided: int
    void_rate: float | None


async def case_stats(ctx: CaseContext, actor: Actor, query: CaseQuery) -> list[CaseRow]:
    if query.by not in DIMENSIONS:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=sorted(DIMENSIONS))
    db = dialect()
    where, params = _filters(actor, query)
    window, window_params = _window(query)
    sql = _SQL.format(key=DIMENSIONS[query.by].format(month=_MONTH[db]), where=where, window=window,
                      response=_SECONDS[db].format(a="ev.accepted_at", b="ev.reported_at"),
                      handling=_SECONDS[db].format(a="ev.handled_at",
                                                   b="COALESCE(ev.accepted_at, ev.dispatched_at)"),
                      **_P90[db])
    rows = await fetch_report(sql, params + window_params)
    overdue = await overdue_now(ctx, actor, query)
    return [_row(r, overdue.get(_text(r["k"]), 0)) for r in rows]


def _filters(actor: Actor, query: CaseQuery) -> tuple[str, list[Any]]:
    """Which cases' events to read: in scope, and (a cheap bound) touched since the window opened."""
    parts: list[str] = []
    params: list[Any] = []
    if query.since is not None:
        parts.append("c.updated_at >= ?")
        params.append(query.since.astimezone(UTC))
    if query.reporter_prefix is not None:
        parts.append("c.reporter LIKE ?")
        params.append(prefix(query.reporter_prefix) + "%")
    if query.area is not None:  # a drill-down into one street, community or cell, inside the scope
        parts.append("c.grid_code LIKE ?")
        params.append(prefix(query.area) + "%")
    scope = read_filter(actor)
    if scope.children or scope.filters:
        # The scope rule is written once, as an ORM filter: its SQL (values inlined and quoted by the ORM)
        # becomes a sub-select, so lists and statistics can never disagree on who sees what.
        parts.append(f"c.id IN ({Case.filter(scope).values_list('id').sql(params_inline=True)})")
    return "".join(f" AND {p}" for p in parts), params


def _window(query: CaseQuery) -> tuple[str, list[Any]]:
    """Received in the window: the ``open`` event's time (``opened_at`` restarts when a case is reopened)."""
    parts, params = [], []
    if query.since is not None:
        parts.append("ev.reported_at >= ?")
        params.append(query.since.astimezone(UTC))
    if query.until is not None:
        parts.append("ev.reported_at < ?")
        params.append(query.until.astimezone(UTC))
    return "".join(f" AND {p}" for p in parts), params


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _row(r: dict[str, Any], overdue: int) -> CaseRow:
    received, registered, closed, on_time = (int(r[k] or 0) for k in ("received", "registered", "closed", "on_time"))
    reopened, ever_closed, voided = (int(r[k] or 0) for k in ("reopened", "ever_closed", "voided"))
    return CaseRow(_text(r["k"]), received, registered, closed, on_time, ratio(closed, registered),
                   ratio(on_time, closed), _hours(r["avg_response_s"]), _hours(r["p90_response_s"]),
                   _hours(r["avg_handling_s"]), _hours(r["p90_handling_s"]), overdue,
                   int(r["supervised"] or 0), reopened, ratio(reopened, ever_closed), voided, ratio(voided, received))


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 3)
