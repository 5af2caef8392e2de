"""One row per case received in some time ranges, read live from ``cases`` and ``case_events``: what the
statistics report reads for today and partial days, and what the daily rollup is built from.

``per_case`` writes two CTEs, ``ev`` (each case's first open / accept / dispatch / handle and its register,
督办 and reopen counts) and ``base`` (those joined to the case row); ``FIGURES`` turns a ``base`` row into
the additive columns :mod:`intake.stats.cases` sums, so the rollup and the live path count alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

Range = tuple[datetime | None, datetime | None]  # [since, until), None: open-ended

DAY = {"sqlite": "date({t}, '+8 hours')", "postgres": "({t} AT TIME ZONE 'Asia/Shanghai')::date"}
SECONDS = {"sqlite": "(julianday({a}) - julianday({b})) * 86400", "postgres": "EXTRACT(EPOCH FROM ({a} - {b}))"}
# The case columns a group or a scope reads, carried by ``base`` and by the rollup under the same names.
COLUMNS = ("grid_code", "assignee_user_id", "assignee_department", "task_user_id", "category_code")

_PER_CASE = """ev AS (
  SELECT case_no, MIN(CASE WHEN action = 'open' THEN at END) AS reported_at,
         MIN(CASE WHEN action = 'accept' THEN at END) AS accepted_at,
         MIN(CASE WHEN action = 'dispatch' THEN at END) AS dispatched_at,
         MIN(CASE WHEN action = 'handle' THEN at END) AS handled_at,
         SUM(CASE WHEN action = 'register' THEN 1 ELSE 0 END) AS registers,
         SUM(CASE WHEN action = 'supervise' THEN 1 ELSE 0 END) AS supervised,
         SUM(CASE WHEN action = 'reopen' THEN 1 ELSE 0 END) AS reopens
  FROM case_events
  WHERE action IN ('open', 'accept', 'dispatch', 'handle', 'register', 'supervise', 'reopen')
    AND case_no IN ({cohort}) GROUP BY case_no
), base AS (
  SELECT {columns}, ev.reported_at, c.status, c.closed_at, c.deadline_at, ev.registers, ev.supervised,
         ev.reopens, {response} AS response_s, {handling} AS handling_s
  FROM cases c JOIN ev ON ev.case_no = c.case_no WHERE {window}
)"""

# A ``base`` row as the sums' terms (one case: received 1, …).
FIGURES = {
    "received": "1",
    "registered": "CASE WHEN b.registers > 0 THEN 1 ELSE 0 END",
    "closed": "CASE WHEN b.status = 'closed' THEN 1 ELSE 0 END",
    "on_time": "CASE WHEN b.status = 'closed' AND b.closed_at <= b.deadline_at THEN 1 ELSE 0 END",
    "response_n": "CASE WHEN b.response_s IS NULL THEN 0 ELSE 1 END",
    "response_sum": "COALESCE(b.response_s, 0)",
    "handling_n": "CASE WHEN b.handling_s IS NULL THEN 0 ELSE 1 END",
    "handling_sum": "COALESCE(b.handling_s, 0)",
    "supervised": "b.supervised",
    "reopened": "CASE WHEN b.reopens > 0 THEN 1 ELSE 0 END",
    "ever_closed": "CASE WHEN b.status = 'closed' OR b.reopens > 0 THEN 1 ELSE 0 END",
    "voided": "CASE WHEN b.status = 'voided' THEN 1 ELSE 0 END",
}


def in_ranges(column: str, ranges: Sequence[Range]) -> tuple[str, list[Any]]:
    """``column`` inside one of the ranges, as SQL (no range: nothing matches)."""
    if not ranges:
        return "1 = 0", []
    parts, params = [], []
    for lo, hi in ranges:
        bounds = []
        for value, op in ((lo, ">="), (hi, "<")):
            if value is not None:
                bounds.append(f"{column} {op} ?")
                params.append(value)
        parts.append("(" + (" AND ".join(bounds) or "1 = 1") + ")")
    return "(" + " OR ".join(parts) + ")", params


def per_case(db: str, ranges: Sequence[Range], where: str = "", where_params: Sequence[Any] = ()
             ) -> tuple[str, list[Any]]:
    """The ``ev`` and ``base`` CTEs for the cases received in ``ranges`` and matching ``where`` (on ``c``).
    The cohort is found from the ``open`` events' own index, so a year of rolled-up days costs nothing here."""
    opened, opened_params = in_ranges("o.at", ranges)
    cohort = f"SELECT o.case_no FROM case_events o WHERE o.action = 'open' AND {opened}"
    if where:
        cohort += f" AND o.case_no IN (SELECT c.case_no FROM cases c WHERE 1 = 1 {where})"
    window, window_params = in_ranges("ev.reported_at", ranges)
    sql = _PER_CASE.format(cohort=cohort, window=window, columns=", ".join(f"c.{c}" for c in COLUMNS),
                           response=SECONDS[db].format(a="ev.accepted_at", b="ev.reported_at"),
                           handling=SECONDS[db].format(a="ev.handled_at",
                                                       b="COALESCE(ev.accepted_at, ev.dispatched_at)"))
    return sql, [*opened_params, *where_params, *window_params]


def days_in(db: str, column: str, days: Sequence[date]) -> tuple[str, list[Any]]:
    """``column`` (a local day) is one of ``days``: one array (PostgreSQL) or JSON list (SQLite) parameter."""
    if db == "postgres":
        return f"{column} = ANY(?::date[])", [list(days)]
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps([d.isoformat() for d in days])]


def day_spans(db: str, column: str, days: Sequence[date]) -> tuple[str, list[Any]]:
    """``column`` (a local day) is one of ``days`` (sorted), as ranges of consecutive days: a year of days is
    one comparison per row, not a search of a 365-element list."""
    spans: list[list[date]] = []
    for day in days:
        if spans and (day - spans[-1][1]).days == 1:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    if not spans:
        return "1 = 0", []
    value = (lambda d: d) if db == "postgres" else date.isoformat
    return ("(" + " OR ".join(f"({column} >= ? AND {column} <= ?)" for _ in spans) + ")",
            [value(d) for span in spans for d in span])


def as_day(value: Any) -> date:
    """A day as the driver returns it (a date on PostgreSQL, ISO text on SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))
