"""The heat map's JSON, kept per (scope, group, precision, window start) until a case changes.

Dispatchers' screens ask for the same few heat maps all day; grouping 100,000 cases each time costs a few
hundred milliseconds, serving the kept text none. A change is any case noted by the statistics' triggers
(migration 0021): on PostgreSQL the ``stats_dirty`` sequence, which only grows; on SQLite (development) the
newest event and note ids. The window's start is part of the key, so a caller that wants hits rounds it
(the console's map rounds to the minute). Each process keeps its own few entries.
"""

from __future__ import annotations

from collections import OrderedDict

from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.grid.model import Datum
from intake.map.points import HeatQuery, heat_json
from intake.store.db import dialect, fetch
from intake.store.models import Case

MAX_ENTRIES = 32  # ~1 MB each at most (the heat map's own limit)

_MARK = {"postgres": "SELECT last_value::text || ':' || is_called::text AS m FROM stats_dirty_id_seq",
         "sqlite": "SELECT (SELECT COALESCE(MAX(id), 0) FROM case_events) || ':' || "
                   "(SELECT COALESCE(MAX(id), 0) FROM stats_dirty) || ':' || "
                   "(SELECT COUNT(*) FROM stats_dirty) AS m"}

_kept: OrderedDict[tuple[str, ...], tuple[str, str]] = OrderedDict()


async def change_mark() -> str:
    """A text that changes whenever a case does."""
    rows = await fetch(_MARK[dialect()], [])
    return str(rows[0]["m"])


async def cached_heat_json(actor: Actor, query: HeatQuery, datum: Datum) -> str:
    scope = read_filter(actor)
    key = (Case.filter(scope).sql(params_inline=True) if scope.children or scope.filters else "",
           query.group or "", str(query.precision), query.since.isoformat(), datum.value)
    mark = await change_mark()
    kept = _kept.get(key)
    if kept is not None and kept[0] == mark:
        _kept.move_to_end(key)
        return kept[1]
    # The mark was read first: a change while computing leaves a mark that the next request sees as old.
    text = await heat_json(actor, query, datum)
    _kept[key] = (mark, text)
    _kept.move_to_end(key)
    while len(_kept) > MAX_ENTRIES:
        _kept.popitem(last=False)
    return text


def forget() -> None:
    """Drop every kept answer (tests)."""
    _kept.clear()

