"""The daily rollup of the case figures: which days a report may read from it, and the job that builds it.

Why a rebuild of touched days rather than +1/−1 updates in the step handlers: a case's contribution
depends on its whole event history (first accept, first handle, reopen…) and on columns several code
paths write (assignment, category, deadline moved by extensions and suspensions), so a delta per step
would have to know the case's old contribution. Database triggers (migration 0021) instead note every
changed case in ``stats_dirty`` — whatever wrote it — and this job recomputes that case's day from the
live tables with the very SQL the report uses for live days (:mod:`intake.stats.base`), so the two
cannot drift. Until the job has run, :func:`plan` treats a day with a dirty case as not rolled up:
answers are the live answers at every moment; the job only makes them cheaper. Today is never rolled up.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from intake.sla.calendar import SHANGHAI, to_shanghai
from intake.stats.base import COLUMNS, DAY, FIGURES, Range, as_day, days_in, per_case
from intake.store.db import dialect, execute_all, fetch

MAX_DIRTY = 20_000  # dirty rows read per run (a busy day writes a few thousand)
CHUNK_DAYS = 31  # days rebuilt per transaction


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


async def dirty_days(up_to_id: int | None = None) -> set[date]:
    db, bound = dialect(), "" if up_to_id is None else " WHERE s.id <= ?"
    rows = await fetch(f"SELECT DISTINCT {DAY[db].format(t='o.at')} AS d FROM case_events o "
                       f"WHERE o.action = 'open' AND o.case_no IN (SELECT s.case_no FROM stats_dirty s{bound})",
                       [] if up_to_id is None else [up_to_id])
    return {as_day(r["d"]) for r in rows}


async def plan(since: datetime | None, until: datetime | None, now: datetime) -> tuple[list[date], list[Range]]:
    """The rolled-up, unchanged whole days inside ``[since, until)``, and the ranges left to read live."""
    today = to_shanghai(now).date()
    built = await _built()
    usable = sorted(d for d in built - await dirty_days() if d < today
                    and (since is None or start_of(d) >= since)
                    and (until is None or start_of(d + timedelta(days=1)) <= until))
    ranges: list[Range] = []
    cursor, first = since, True
    for day in usable:
        lo, hi = start_of(day), start_of(day + timedelta(days=1))
        if (first and cursor is None) or (cursor is not None and cursor < lo):
            ranges.append((cursor, lo))
        cursor, first = hi, False
    if first or until is None or (cursor is not None and cursor < until):
        ranges.append((cursor, until))
    return usable, ranges


async def refresh(now: datetime, max_days: int = 62) -> int:
    """Rebuild the days with changed cases, then add missing days up to yesterday (newest first), at most
    ``max_days`` days a run; returns the days rebuilt. Safe to run at any time (one process: a lock)."""
    db, today = dialect(), to_shanghai(now).date()
    ids = [int(r["id"]) for r in await fetch(f"SELECT id FROM stats_dirty ORDER BY id LIMIT {MAX_DIRTY}", [])]
    built = await _built()
    changed = sorted(d for d in await dirty_days(max(ids)) if d in built and d < today) if ids else []
    todo = changed[:max_days]
    first = await fetch(f"SELECT MIN({DAY[db].format(t='at')}) AS d FROM case_events WHERE action = 'open'", [])
    if first and first[0]["d"] is not None:
        day, missing = today - timedelta(days=1), list[date]()
        while day >= as_day(first[0]["d"]) and len(todo) + len(missing) < max_days:
            if day not in built:
                missing.append(day)
            day -= timedelta(days=1)
        todo += missing
    for k in range(0, len(todo), CHUNK_DAYS):
        await _build(db, sorted(todo[k:k + CHUNK_DAYS]), now)
    if len(todo) > CHUNK_DAYS and db == "postgres":  # many rows new: let the planner know their spread
        await execute_all([("ANALYZE stats_daily", [])])
    if ids and len(changed) <= max_days:  # every changed day rebuilt: those notes are spent
        where, params = _ids_in(db, ids)
        await execute_all([(f"DELETE FROM stats_dirty WHERE {where}", params)])
    return len(todo)


async def _built() -> set[date]:
    return {as_day(r["day"]) for r in await fetch("SELECT day FROM stats_days", [])}


def _ids_in(db: str, ids: list[int]) -> tuple[str, list[Any]]:
    if db == "postgres":
        return "id = ANY(?::bigint[])", [ids]
    return "id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]


def _ranges(days: list[date]) -> list[Range]:
    """Sorted days as few ranges as possible (consecutive days merge)."""
    out: list[Range] = []
    for day in days:
        lo, hi = start_of(day), start_of(day + timedelta(days=1))
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


async def _build(db: str, days: list[date], now: datetime) -> None:
    """Replace the rollup rows of ``days`` (one transaction) with those the live tables give now."""
    ctes, params = per_case(db, _ranges(days))
    agg = "string_agg({v}::text, ',')" if db == "postgres" else "group_concat({v}, ',')"
    one = "CASE WHEN COUNT({v}) = 1 THEN MIN({v}) END"
    many = f"CASE WHEN COUNT({{v}}) > 1 THEN {agg} ELSE '' END"
    columns = ["day", *COLUMNS, *FIGURES, "response_one", "handling_one", "response_values", "handling_values"]
    day = DAY[db].format(t="b.reported_at")
    select = [day, *(f"b.{c}" for c in COLUMNS), *(f"SUM({e})" for e in FIGURES.values()),
              *(one.format(v=f"b.{t}_s") for t in ("response", "handling")),
              *(many.format(v=f"b.{t}_s") for t in ("response", "handling"))]
    insert = (f"INSERT INTO stats_daily ({', '.join(columns)}) WITH {ctes} SELECT {', '.join(select)} "
              f"FROM base b GROUP BY {day}, {', '.join(f'b.{c}' for c in COLUMNS)}")
    which, which_params = days_in(db, "day", days)
    mark = ("INSERT INTO stats_days (day, built_at) SELECT unnest(?::date[]), ? "
            "ON CONFLICT (day) DO UPDATE SET built_at = EXCLUDED.built_at" if db == "postgres" else
            "INSERT OR REPLACE INTO stats_days (day, built_at) SELECT value, ? FROM json_each(?)")
    mark_params = [days, now] if db == "postgres" else [now, which_params[0]]
    await execute_all([(f"DELETE FROM stats_daily WHERE {which}", which_params), (insert, params),
                       (mark, mark_params)])
