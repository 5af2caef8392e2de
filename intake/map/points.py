"""Cases on the map: open cases as markers with their SLA light, and the heat map's compact points.

Markers are the open cases in the view (nearest deadline first, at most ``MAX_MARKERS``), each
``[lat, lng, light, case_no]`` with the light from :mod:`intake.sla.light` (the rule lists use). The heat
map is one grouped query: cases opened in the window (optionally one category group, the code's first
two digits) counted per ~100 m square (coordinates rounded to ``precision`` decimals), sent as
``[lat, lng, count]`` — 100,000 cases make a few ten thousand squares, well under a megabyte. JIT is off
for it (``fetch_report``): a window of years of cases is costed high enough to compile, which takes longer
than the grouping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.cases.states import OPEN
from intake.grid.model import Datum
from intake.map.cells import Box, display
from intake.sla.light import state
from intake.store.db import dialect, fetch_report
from intake.store.models import Case

MAX_MARKERS = 5000
_FIELDS = ("case_no", "lat", "lng", "status", "deadline_at", "limit_hours", "severity", "suspended_at")


@dataclass(frozen=True, slots=True)
class HeatQuery:
    since: datetime
    group: str | None = None  # a category group: two digits
    precision: int = 3  # decimals kept: 3 ≈ 100 m squares


async def markers(ctx: CaseContext, actor: Actor, box: Box, datum: Datum) -> list[list[Any]]:
    found = await (Case.filter(read_filter(actor), status__in=[str(s) for s in OPEN],
                               lat__gte=box.south, lat__lte=box.north, lng__gte=box.west, lng__lte=box.east)
                   .order_by("deadline_at").limit(MAX_MARKERS).only(*_FIELDS))
    now = ctx.clock()
    out: list[list[Any]] = []
    for case in found:
        light = state(ctx.sla, case, now).light
        lng, lat = display(float(case.lng or 0), float(case.lat or 0), datum)
        out.append([lat, lng, str(light) if light else "", case.case_no])
    return out


_HEAT = """
SELECT ROUND(c.lat * {scale}) AS y, ROUND(c.lng * {scale}) AS x, COUNT(*) AS n FROM cases c
WHERE c.opened_at >= ? AND c.lat IS NOT NULL AND c.lng IS NOT NULL {where}
GROUP BY ROUND(c.lat * {scale}), ROUND(c.lng * {scale})
"""


async def heat(actor: Actor, query: HeatQuery, datum: Datum) -> list[list[float]]:
    scale = 10 ** query.precision
    where, params = _where(actor, query)
    rows = await fetch_report(_HEAT.format(scale=scale, where=where), [query.since.astimezone(UTC), *params])
    if datum is Datum.WGS84:  # the common case, kept to a division per number (100,000 cases: ~40,000 squares)
        return [[float(r["y"]) / scale, float(r["x"]) / scale, int(r["n"])] for r in rows]
    out = []
    for r in rows:
        lng, lat = display(float(r["x"]) / scale, float(r["y"]) / scale, datum)
        out.append([round(lat, query.precision), round(lng, query.precision), int(r["n"])])
    return out


# The same squares as one JSON array written by the database: 30,000 rows never become Python objects.
# On PostgreSQL joined as text (numbers print as in JSON): json_agg of json_build_array spent a fifth of
# the statement's CPU building JSON values, and wrote a space after every comma.
_AS_JSON = {
    "postgres": "SELECT COALESCE('[' || string_agg('[' || (g.y / {scale}) || ',' || (g.x / {scale}) || ',' || g.n "
                "|| ']', ',') || ']', '[]') AS j FROM ({grouped}) g",
    "sqlite": "SELECT COALESCE(json_group_array(json_array(g.y / {scale}, g.x / {scale}, g.n)), '[]') AS j "
              "FROM ({grouped}) g",
}


async def heat_json(actor: Actor, query: HeatQuery, datum: Datum) -> str:
    """:func:`heat` as JSON text; WGS-84 squares straight from SQL, GCJ-02 ones shifted here."""
    if datum is not Datum.WGS84:
        return json.dumps(await heat(actor, query, datum), separators=(",", ":"))
    scale = 10 ** query.precision
    where, params = _where(actor, query)
    grouped = _HEAT.format(scale=scale, where=where)
    rows = await fetch_report(_AS_JSON[dialect()].format(scale=scale, grouped=grouped),
                       [query.since.astimezone(UTC), *params])
    return str(rows[0]["j"]) if rows else "[]"


def _where(actor: Actor, query: HeatQuery) -> tuple[str, list[Any]]:
    where, params = _scope(actor)
    if query.group:
        where += " AND c.category_code LIKE ?"
        params.append(query.group.replace("%", "").replace("_", "") + "%")
    return where, params


def _scope(actor: Actor) -> tuple[str, list[Any]]:
    """The caller's scope as a sub-select of the ORM's own filter (as :mod:`intake.stats.cases` does)."""
    scope = read_filter(actor)
    if not (scope.children or scope.filters):
        return "", []
    return f" AND c.id IN ({Case.filter(scope).values_list('id').sql(params_inline=True)})", []
