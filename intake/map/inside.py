"""A cell's summary (its worker, open cases, figures) and the cases inside a polygon drawn on the map.

A polygon comes in as ``[(lng, lat), …]`` and passes the alerts' vertex and coordinate checks
(:func:`intake.alerts.area.check_polygon`); it must span at most ``MAX_EXTENT_DEG`` (a district or two)
and not cross itself (a crossing outline has no clear inside: the caller is asked to redraw it). The
database narrows to the box around it (in scope); shapely tests the rest, off the event loop when many.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from intake.alerts.area import Point, check_polygon
from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.cases.states import OPEN
from intake.errors import Invalid, NotFound
from intake.grid.geodesy import to_wgs84
from intake.grid.model import Datum
from intake.map.cells import sees
from intake.sla.light import state
from intake.stats.cases import CaseRow, case_stats
from intake.stats.query import CaseQuery
from intake.store.models import Case

MAX_EXTENT_DEG = 2.0
MAX_FOUND = 1000  # cases listed back (the count covers them all)
_THREAD_OVER = 2000  # candidates above which the point test leaves the event loop
_OPEN = [str(s) for s in OPEN]


@dataclass(frozen=True, slots=True)
class CellSummary:
    code: str
    name: str
    worker: tuple[int, str] | None
    open_cases: list[dict[str, Any]]
    figures: CaseRow | None  # the cell's row of the statistics for the window


async def cell_summary(ctx: CaseContext, actor: Actor, code: str, since: datetime | None) -> CellSummary:
    cell = ctx.grid.index.find(code)
    if cell is None or not sees(actor, code):
        raise NotFound(f"no grid cell {code}")  # another street's cell is as unknown as a missing one
    worker = await ctx.grid.worker_for(code)
    found = await Case.filter(read_filter(actor), grid_code__startswith=code, status__in=_OPEN) \
        .order_by("deadline_at").limit(50)
    now = ctx.clock()
    rows = [{"case_no": c.case_no, "status": c.status, "light": str(state(ctx.sla, c, now).light or "")}
            for c in found]
    figures = await case_stats(ctx, actor, CaseQuery(by="street", since=since, area=code))
    return CellSummary(code, cell.name, (worker.id, worker.name) if worker else None, rows,
                       figures[0] if figures else None)


def vet(points: list[Point]) -> shapely.Polygon:
    ring = check_polygon(points)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    if max(xs) - min(xs) > MAX_EXTENT_DEG or max(ys) - min(ys) > MAX_EXTENT_DEG:
        raise Invalid(f"a polygon may span at most {MAX_EXTENT_DEG:g}° of longitude and latitude")
    polygon = shapely.Polygon(ring)
    if not shapely.is_valid(polygon) or polygon.area == 0:
        raise Invalid("the polygon's edges cross each other; draw the outline without crossing lines")
    return polygon


async def cases_inside(ctx: CaseContext, actor: Actor, points: list[Point],
                       datum: Datum = Datum.WGS84) -> tuple[int, list[dict[str, Any]]]:
    """How many of the caller's cases lie inside, and the first ``MAX_FOUND`` of them (newest first).
    ``points`` are in the map's datum (GCJ-02 under a 高德-style tile layer); cases are stored in WGS-84."""
    polygon = vet([to_wgs84(lng, lat, datum) for lng, lat in check_polygon(points)])
    west, south, east, north = polygon.bounds
    rows = await Case.filter(read_filter(actor), lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east) \
        .order_by("-opened_at").values_list("case_no", "lng", "lat", "status")
    if not rows:
        return 0, []
    xs, ys = np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows], dtype=float)
    shapely.prepare(polygon)
    if len(rows) > _THREAD_OVER:
        mask = await asyncio.to_thread(shapely.contains_xy, polygon, xs, ys)
    else:
        mask = shapely.contains_xy(polygon, xs, ys)
    hits = [r for r, inside in zip(rows, mask.tolist(), strict=True) if inside]
    return len(hits), [{"case_no": r[0], "lat": r[2], "lng": r[1], "status": r[3]} for r in hits[:MAX_FOUND]]
