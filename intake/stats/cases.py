"""Case figures per street, community, grid, worker, department, category or month: one grouped query.

The cohort is the cases *received* (opened) in ``[since, until)``, within the caller's scope
(:func:`intake.cases.scope.read_filter`). 办结率 = closed / registered; 按期办结率 = closed on or before
``deadline_at`` / closed — ``deadline_at`` is the deadline in force at closing, since approved extensions
and resumed suspensions move it. Response time is report → first ``accept`` event; handling time is
first ``accept`` (or, never accepted, first ``dispatch``) → first ``handle``; p90s are nearest-rank.
Reopen rate = cases reopened / cases closed at least once; void rate = voided / received. 督办 counts
``supervise`` events. "Overdue now" is :mod:`intake.sla.light`'s own rule (:mod:`intake.stats.overdue`).

Whole past days come from the daily rollup (:mod:`intake.stats.rollup`) when it holds them unchanged, the
rest (today, the window's partial days, days with a changed case) from the live tables; both feed the same
sums and the same p90 over the same values, so the answer does not depend on which days were rolled up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.errors import Invalid
from intake.stats.base import FIGURES, Range, day_spans, per_case
from intake.stats.overdue import overdue_now
from intake.stats.query import CaseQuery, prefix
from intake.stats.rollup import plan
from intake.store.db import dialect, fetch_report
from intake.store.models import Case
from intake.store.models_stats import StatsDaily

# SQL per dimension, on a live case row (``b``) or a rollup row (``r``): both carry the case's columns;
# street and community are prefixes of the grid code (9 and 12 digits), the month is the local month of receipt.
DIMENSIONS = {"street": "substr({t}.grid_code, 1, 9)", "community": "substr({t}.grid_code, 1, 12)",
              "grid": "{t}.grid_code", "worker": "{t}.assignee_user_id", "department": "{t}.assignee_department",
              "category": "{t}.category_code", "month": "{month}"}
_MONTH = {"sqlite": {"b": "strftime('%Y-%m', b.reported_at, '+8 hours')", "r": "substr(r.day, 1, 7)"},
          # grouped by the month's first moment (a fixed-width compare, not to_char on each of 100,000s of
          # rows), written out as text once per group (_OUT_KEY)
          "postgres": {"b": "date_trunc('month', b.reported_at AT TIME ZONE 'Asia/Shanghai')",
                       "r": "date_trunc('month', r.day::timestamp)"}}
_OUT_KEY = {"month": "to_char(rows.k, 'YYYY-MM')"}
# The rollup's times, one row per value.
_UNNEST = {"postgres": "CROSS JOIN LATERAL unnest(string_to_array(r.{col}, ',')::float8[]) AS u(v)",
           "sqlite": "JOIN json_each('[' || r.{col} || ']') AS u"}

_SQL = """
WITH {ctes}, live AS (
  SELECT {live_key} AS k, {live_figures}, b.response_s, b.handling_s FROM base b
), roll AS {inline}(
  SELECT {roll_key} AS k, r.* FROM stats_daily r WHERE {roll_where}
), rows AS (
  SELECT k, {names} FROM live UNION ALL SELECT k, {names} FROM roll
), rv AS (
  SELECT k, response_s AS v FROM live WHERE response_s IS NOT NULL
  UNION ALL SELECT k, response_one FROM roll WHERE response_one IS NOT NULL
  UNION ALL SELECT r.k, u.{value} FROM roll r {unnest_response} WHERE r.response_n > 1
), hv AS (
  SELECT k, handling_s AS v FROM live WHERE handling_s IS NOT NULL
  UNION ALL SELECT k, handling_one FROM roll WHERE handling_one IS NOT NULL
  UNION ALL SELECT r.k, u.{value} FROM roll r {unnest_handling} WHERE r.handling_n > 1
), agg AS (
  SELECT k, {sums} FROM rows GROUP BY k
){p90}
SELECT agg.*,
       CASE WHEN agg.k IS NULL THEN (SELECT p90_s FROM p90 WHERE k IS NULL) ELSE p1.p90_s END AS p90_response_s,
       CASE WHEN agg.k IS NULL THEN (SELECT p90_s FROM h90 WHERE k IS NULL) ELSE h1.p90_s END AS p90_handling_s
FROM agg LEFT JOIN p90 p1 ON p1.k = agg.k LEFT JOIN h90 h1 ON h1.k = agg.k
ORDER BY agg.received DESC, agg.k LIMIT 1000
"""

# PostgreSQL: one pass. Each row carries its sums and at most one response and one handling time (a rollup
# row with several times adds rows of zeros carrying the rest), and one GROUP BY takes the sums and both p90s
# (percentile_disc skips NULLs) — the rollup is scanned once for the figures, not three times, and there is
# no join back of separately grouped p90s.
_SQL_PG = """
WITH {ctes}, live AS (
  SELECT {live_key} AS k, {live_figures}, b.response_s, b.handling_s FROM base b
), roll AS NOT MATERIALIZED (
  SELECT {roll_key} AS k, r.* FROM stats_daily r WHERE {roll_where}
), rows AS (
  SELECT k, {names}, response_s AS rv, handling_s AS hv FROM live
  UNION ALL SELECT k, {names}, response_one, handling_one FROM roll
  UNION ALL SELECT r.k, {zeros}, u.v, NULL FROM roll r {unnest_response} WHERE r.response_n > 1
  UNION ALL SELECT r.k, {zeros}, NULL, u.v FROM roll r {unnest_handling} WHERE r.handling_n > 1
)
SELECT {out_key} AS k, {sums}, percentile_disc(0.9) WITHIN GROUP (ORDER BY rv) AS p90_response_s,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY hv) AS p90_handling_s
FROM rows GROUP BY rows.k ORDER BY received DESC, rows.k LIMIT 1000
"""

# p90 (nearest rank: the smallest value with at least 90 % at or below it). PostgreSQL has it as an
# ordered-set aggregate; SQLite ranks with window functions. Joined back by key (a hash join: the ungrouped
# None key is looked up on its own, as "k IS NULL" in a join condition would compare every pair of groups).
_P90 = {
    "postgres": """, p90 AS (SELECT k, percentile_disc(0.9) WITHIN GROUP (ORDER BY v) AS p90_s FROM rv GROUP BY k
), h90 AS (SELECT k, percentile_disc(0.9) WITHIN GROUP (ORDER BY v) AS p90_s FROM hv GROUP BY k)""",
    "sqlite": """, rr AS (
  SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY k) AS n FROM rv
), p90 AS (SELECT k, MIN(v) AS p90_s FROM rr WHERE rn * 10 >= n * 9 GROUP BY k
), hr AS (
  SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY k) AS n FROM hv
), h90 AS (SELECT k, MIN(v) AS p90_s FROM hr WHERE rn * 10 >= n * 9 GROUP BY k)""",
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


async def case_stats(ctx: CaseContext, actor: Actor, query: CaseQuery, *, rollup: bool = True) -> list[CaseRow]:
    """The figures per group; whole days the rollup holds unchanged are read from it (``rollup=False``: all
    live — the same answer, slower)."""
    if query.by not in DIMENSIONS:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=sorted(DIMENSIONS))
    sql, params = await statement(ctx, actor, query, rollup=rollup)
    rows = await fetch_report(sql, params)
    overdue = await overdue_now(ctx, actor, query)
    return [_row(r, overdue.get(_text(r["k"]), 0)) for r in rows]


async def statement(ctx: CaseContext, actor: Actor, query: CaseQuery, *, rollup: bool = True
                    ) -> tuple[str, list[Any]]:
    """The report's SQL and parameters (what :func:`case_stats` runs; the bench explains it)."""
    db = dialect()
    since, until = (None if t is None else t.astimezone(UTC) for t in (query.since, query.until))
    days: list[date] = []
    ranges: list[Range] = [(since, until)]
    if rollup and query.reporter_prefix is None:  # the rollup keeps no reporters
        days, ranges = await plan(since, until, ctx.clock())
    where, params = _filters(actor, query, Case)
    ctes, live_params = per_case(db, ranges, where, params)
    roll_where, roll_params = _rollup_where(db, actor, query, days)
    key = DIMENSIONS[query.by]
    sql = (_SQL_PG if db == "postgres" else _SQL).format(ctes=ctes, live_key=key.format(t="b", month=_MONTH[db]["b"]),
                      roll_key=key.format(t="r", month=_MONTH[db]["r"]), roll_where=roll_where,
                      live_figures=", ".join(f"{e} AS {n}" for n, e in FIGURES.items()), names=", ".join(FIGURES),
                      sums=", ".join(f"SUM({n}) AS {n}" for n in FIGURES), p90=_P90[db],
                      zeros=", ".join("0" for _ in FIGURES), out_key=_OUT_KEY.get(query.by, "rows.k"),
                      value="v" if db == "postgres" else "value",
                      # read three times: scanned each time beats a tuplestore of 100,000s of rows
                      inline="NOT MATERIALIZED " if db == "postgres" else "",
                      unnest_response=_UNNEST[db].format(col="response_values"),
                      unnest_handling=_UNNEST[db].format(col="handling_values"))
    return sql, live_params + roll_params


def _filters(actor: Actor, query: CaseQuery, model: type[Case] | type[StatsDaily], t: str = "c",
             ) -> tuple[str, list[Any]]:
    """Which rows (cases ``c`` or rollup rows ``r``) to read: in scope, in the drill-down's area and
    reporter set, and for cases (a cheap bound) touched since the window opened."""
    parts: list[str] = []
    params: list[Any] = []
    if query.since is not None and t == "c":
        parts.append("c.updated_at >= ?")
        params.append(query.since.astimezone(UTC))
    if query.reporter_prefix is not None:
        parts.append(f"{t}.reporter LIKE ?")
        params.append(prefix(query.reporter_prefix) + "%")
    if query.area is not None:  # a drill-down into one street, community or cell, inside the scope
        parts.append(f"{t}.grid_code LIKE ?")
        params.append(prefix(query.area) + "%")
    scope = read_filter(actor)
    if scope.children or scope.filters:
        # The scope rule is written once, as an ORM filter: its SQL (values inlined and quoted by the ORM)
        # becomes a sub-select, so lists and statistics can never disagree on who sees what. The rollup
        # names its columns as ``cases`` does, so the same filter reads it.
        parts.append(f"{t}.id IN ({model.filter(scope).values_list('id').sql(params_inline=True)})")
    return "".join(f" AND {p}" for p in parts), params


def _rollup_where(db: str, actor: Actor, query: CaseQuery, days: list[date]) -> tuple[str, list[Any]]:
    if not days:
        return "1 = 0", []
    which, params = day_spans(db, "r.day", days)
    where, more = _filters(actor, query, StatsDaily, "r")
    return which + where, params + more


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _row(r: dict[str, Any], overdue: int) -> CaseRow:
    r = {**r, "avg_response_s": _mean(r["response_sum"], r["response_n"]),
         "avg_handling_s": _mean(r["handling_sum"], r["handling_n"])}
    received, registered, closed, on_time = (int(r[k] or 0) for k in ("received", "registered", "closed", "on_time"))
    reopened, ever_closed, voided = (int(r[k] or 0) for k in ("reopened", "ever_closed", "voided"))
    return CaseRow(_text(r["k"]), received, registered, closed, on_time, ratio(closed, registered),
                   ratio(on_time, closed), _hours(r["avg_response_s"]), _hours(r["p90_response_s"]),
                   _hours(r["avg_handling_s"]), _hours(r["p90_handling_s"]), overdue,
                   int(r["supervised"] or 0), reopened, ratio(reopened, ever_closed), voided, ratio(voided, received))


def _mean(total: Any, n: Any) -> float | None:
    return float(total) / int(n) if n else None


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 3)
