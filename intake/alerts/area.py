"""An alert's area (polygons, circles, division codes, grid codes) and the leaf grid cells it intersects.

Shapes are WGS-84 and tested against the leaves in the grid's local metric projection, so a circle's
radius is true kilometres. Division codes map onto the prefix-hierarchical region codes: a 6-digit
district (``440307``, or ``440000`` = every code under ``44``), a 9-digit street, a 12-digit geocode
(``440307011000`` = street 440307011, ``440307000000`` = district 440307, ``440307011001`` = community).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from intake.alerts import shapes
from intake.alerts.shapes import ShapeLimits, vet_counts
from intake.errors import Invalid
from intake.grid.index import GridIndex
from intake.heavy import HeavyPool

Point = tuple[float, float]  # (lng, lat)
MAX_VERTICES = 5000
MAX_RADIUS_KM = 1000.0
MAX_CODES = 2000


@dataclass(frozen=True, slots=True)
class Area:
    polygons: tuple[tuple[Point, ...], ...] = ()
    circles: tuple[tuple[float, float, float], ...] = ()  # (lng, lat, radius km)
    divisions: tuple[str, ...] = ()
    grids: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {"polygons": [list(map(list, p)) for p in self.polygons], "circles": [list(c) for c in self.circles],
                "divisions": list(self.divisions), "grids": list(self.grids)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Area:
        return cls(tuple(tuple((float(x), float(y)) for x, y in p) for p in raw.get("polygons", [])),
                   tuple((float(a), float(b), float(c)) for a, b, c in raw.get("circles", [])),
                   tuple(raw.get("divisions", [])), tuple(raw.get("grids", [])))

    @property
    def empty(self) -> bool:
        return not (self.polygons or self.circles or self.divisions or self.grids)


def check_point(lng: float, lat: float) -> Point:
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise Invalid("coordinates must be finite, latitude within ±90 and longitude within ±180")
    return lng, lat


def check_polygon(points: list[Point]) -> tuple[Point, ...]:
    if len(points) > MAX_VERTICES:
        raise Invalid(f"a polygon may have at most {MAX_VERTICES} vertices")
    ring = [check_point(x, y) for x, y in points]
    if len(set(ring)) < 3:
        raise Invalid("a polygon needs at least 3 distinct vertices")
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return tuple(ring)


def check_circle(lng: float, lat: float, radius_km: float) -> tuple[float, float, float]:
    check_point(lng, lat)
    if not (math.isfinite(radius_km) and 0 <= radius_km <= MAX_RADIUS_KM):
        raise Invalid(f"a circle's radius must be within 0–{MAX_RADIUS_KM:g} km")
    return lng, lat, radius_km


def parse_polygon(text: str | None, *, latlon: bool) -> tuple[Point, ...]:
    """CAP polygon text: ``lat,lon lat,lon …`` (``latlon``) into (lng, lat) pairs."""
    pairs = (text or "").split()
    if len(pairs) > MAX_VERTICES:
        raise Invalid(f"a polygon may have at most {MAX_VERTICES} vertices")
    try:
        nums = [tuple(float(v) for v in pair.split(",")) for pair in pairs]
    except ValueError:
        raise Invalid("polygon coordinates must be numbers written as lat,lon pairs") from None
    if any(len(n) != 2 for n in nums):
        raise Invalid("polygon coordinates must be lat,lon pairs separated by spaces")
    return check_polygon([(b, a) if latlon else (a, b) for a, b in nums])


def parse_circle(text: str | None) -> tuple[float, float, float]:
    """CAP circle text: ``lat,lon radius_km``."""
    try:
        centre, radius = (text or "").split()
        lat, lng = (float(v) for v in centre.split(","))
        return check_circle(lng, lat, float(radius))
    except ValueError:
        raise Invalid("a circle is written 'lat,lon radius_km'") from None


def division_prefix(code: str) -> str:
    """The region-code prefix a 6-, 9- or 12-digit division code stands for."""
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise Invalid(f"division code {code[:20]!r} must have 6, 9 or 12 digits")
    head, tail = code[:6], code[6:]
    while tail.endswith("000"):
        tail = tail[:-3]
    if not tail:
        while head.endswith("00") and len(head) > 2:
            head = head[:-2]
    return head + tail


class AreaIndex:
    """Leaf cells by shape or by code prefix (built once per grid index).

    A polygon that needs repair is vetted first (:mod:`intake.alerts.shapes`) and repaired in ``heavy``'s
    worker processes, never on the event loop; a large one is vetted there too.
    """

    def __init__(self, grid: GridIndex, heavy: HeavyPool | None = None, limits: ShapeLimits | None = None) -> None:
        self.grid, self.heavy, self.limits = grid, heavy or HeavyPool(), limits or ShapeLimits()
        self.codes = sorted(c.code for c in grid.leaves)
        by_code = {c.code: c for c in grid.leaves}
        self._geoms = grid.projection.project_many([by_code[c].geometry for c in self.codes])
        self._tree = STRtree(self._geoms)

    async def cells(self, area: Area) -> list[str]:
        """Sorted leaf codes the area touches; :class:`Invalid` for unknown grid codes or too complex shapes,
        :class:`~intake.errors.Busy` when a repair runs over its budget."""
        found: set[str] = set()
        vet_counts(area.polygons, len(area.circles), self.limits)
        geoms = [await self._polygon(p) for p in area.polygons] + [self._circle(c) for c in area.circles]
        for shape in geoms:
            found.update(self.codes[i] for i in self._tree.query(shape, predicate="intersects"))
        for code in area.divisions:
            found.update(self.under(division_prefix(code)))
        unknown = [g for g in area.grids if g not in self.grid]
        if unknown:
            raise Invalid(f"unknown grid codes: {', '.join(u[:20] for u in unknown[:5])}")
        for code in area.grids:
            found.update(self.under(code))
        return sorted(found)

    def under(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.codes, prefix)
        hi = bisect.bisect_left(self.codes, prefix + "\x7f")
        return self.codes[lo:hi]

    async def _polygon(self, ring: tuple[Point, ...]) -> BaseGeometry:
        shapes.vet_extent(ring, self.limits)
        shape = self.grid.projection.project(shapely.polygons(ring))
        if len(ring) > shapes.INLINE_VERTICES:
            fixed = await self.heavy.run(shapes.vet_and_repair, shapely.to_wkb(shape), self.limits.max_crossings)
            return shape if fixed is None else shapely.from_wkb(fixed)
        if not shapes.needs_repair(shape, self.limits.max_crossings):
            return shape
        return shapely.from_wkb(await self.heavy.run(shapes.repair, shapely.to_wkb(shape)))

    def _circle(self, circle: tuple[float, float, float]) -> BaseGeometry:
        lng, lat, radius_km = circle
        x, y = self.grid.projection.forward(lng, lat)
        return shapely.Point(x, y).buffer(radius_km * 1000.0, quad_segs=32)
