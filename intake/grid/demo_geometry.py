"""Synthetic subdivision for the demo city: streets, communities, unit and responsibility grids.

No street or community polygons of 大鹏 are published, so they are generated:
streets by fixed cut lines, communities by recursive equal-area bisection, unit grids
as a ~500 m lattice clipped to each community (slivers merged into a neighbour),
responsibility grids as the 2 × 2 quarters of each unit grid's bounding box. All
deterministic; all in WGS-84 lon/lat degrees (fine at this scale: only areas are
compared, and cos(latitude) barely varies across 25 km).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from intake.grid.demo_places import KUIYONG_REGION, NANAO_REGION
from intake.grid.geodesy import EARTH_RADIUS_M

UNIT_SIZE_M = 500.0
SLIVER_FRACTION = 0.15  # clipped lattice pieces smaller than this share of a full cell get merged
_BISECTION_STEPS = 40

K = TypeVar("K", tuple[int, int], int)  # a piece's key: lattice (row, col) or quarter number


def split_streets(district: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry, BaseGeometry]:
    """(葵涌, 大鹏, 南澳) by the cut regions of :mod:`demo_places`."""
    nanao = Polygon(NANAO_REGION)
    kuiyong = Polygon(KUIYONG_REGION).difference(nanao)
    dapeng = district.difference(kuiyong).difference(nanao)
    return _areal(district.intersection(kuiyong)), _areal(dapeng), _areal(district.intersection(nanao))


def equal_area_parts(geom: BaseGeometry, n: int) -> list[BaseGeometry]:
    """``n`` parts of about equal area; cut across the longer side, west/north part first."""
    if n == 1:
        return [geom]
    first = n // 2
    a, b = _cut(geom, first / n)
    return equal_area_parts(a, first) + equal_area_parts(b, n - first)


def _cut(geom: BaseGeometry, fraction: float) -> tuple[BaseGeometry, BaseGeometry]:
    x0, y0, x1, y1 = geom.bounds
    vertical = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2)) >= (y1 - y0)

    def boxes(t: float) -> tuple[BaseGeometry, BaseGeometry]:
        if vertical:  # west part first
            return shapely.box(x0, y0, t, y1), shapely.box(t, y0, x1, y1)
        return shapely.box(x0, t, x1, y1), shapely.box(x0, y0, x1, t)

    lo, hi = (x0, x1) if vertical else (y1, y0)  # walk from the "first" side
    target = geom.area * fraction
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if geom.intersection(boxes(mid)[0]).area < target else (lo, mid)
    first, second = boxes((lo + hi) / 2)
    return _areal(geom.intersection(first)), _areal(geom.intersection(second))


@dataclass(frozen=True, slots=True)
class Lattice:
    """The ~500 m lattice shared by all communities, anchored at the district's NW corner."""

    west: float
    north: float
    dx: float
    dy: float

    @classmethod
    def around(cls, district: BaseGeometry, size_m: float = UNIT_SIZE_M) -> Lattice:
        x0, y0, _, y1 = district.bounds
        dy = math.degrees(size_m / EARTH_RADIUS_M)
        return cls(x0, y1, dy / math.cos(math.radians((y0 + y1) / 2)), dy)

    def cells_over(self, geom: BaseGeometry) -> tuple[list[tuple[int, int]], list[BaseGeometry]]:
        x0, y0, x1, y1 = geom.bounds
        rows = range(int((self.north - y1) // self.dy), int((self.north - y0) // self.dy) + 1)
        cols = range(int((x0 - self.west) // self.dx), int((x1 - self.west) // self.dx) + 1)
        keys = [(r, c) for r in rows for c in cols]
        boxes = [self.box(r, c) for r, c in keys]
        return keys, boxes

    def box(self, r: int, c: int) -> BaseGeometry:
        w, n = self.west + c * self.dx, self.north - r * self.dy
        return shapely.box(w, n - self.dy, w + self.dx, n)

    @property
    def cell_area(self) -> float:
        return self.dx * self.dy


def unit_grids(community: BaseGeometry, lattice: Lattice) -> list[BaseGeometry]:
    """The community's unit grids, numbered north→south, west→east (row-major)."""
    keys, boxes = lattice.cells_over(community)
    clipped = shapely.intersection(np.array(boxes, dtype=object), community)
    pieces = {k: p for k, g in zip(keys, clipped, strict=True) if (p := polygonal(g)) is not None}

    def around(key: tuple[int, int]) -> list[tuple[int, int]]:
        return [(key[0] + i, key[1] + j) for i in (-1, 0, 1) for j in (-1, 0, 1)]

    return _absorb_slivers(pieces, SLIVER_FRACTION * lattice.cell_area, around)


def quarters(unit: BaseGeometry) -> list[BaseGeometry]:
    """Responsibility grids: NW, NE, SW, SE quarters of the bounding box (slivers absorbed)."""
    x0, y0, x1, y1 = unit.bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    boxes = [(x0, ym, xm, y1), (xm, ym, x1, y1), (x0, y0, xm, ym), (xm, y0, x1, ym)]
    clipped = shapely.intersection(shapely.box(*np.array(boxes).T), unit)
    pieces = {i: p for i, g in enumerate(clipped) if (p := polygonal(g)) is not None}
    return _absorb_slivers(pieces, SLIVER_FRACTION * unit.area / 4, lambda _: range(4))


def _absorb_slivers(
    pieces: dict[K, BaseGeometry], min_area: float, around: Callable[[K], Iterable[K]]
) -> list[BaseGeometry]:
    """Merge each piece under ``min_area`` into the big neighbour it shares the longest border with.

    A clipped lattice cell can be a few square metres; nobody can patrol that, so it
    joins a neighbour. A sliver with no big neighbour (an islet) stays on its own.
    """
    small = {k for k, g in pieces.items() if g.area < min_area}
    big = {k: g for k, g in pieces.items() if k not in small}
    groups: dict[K, list[BaseGeometry]] = {k: [g] for k, g in big.items()}
    for k in sorted(small):
        shared = [(pieces[k].intersection(big[n]).length, n) for n in around(k) if n in big]
        length, target = max(shared, default=(0.0, k))
        groups.setdefault(target if length > 0 else k, []).append(pieces[k])
    return [shapely.union_all(groups[k]) for k in sorted(groups)]


def _areal(geom: BaseGeometry) -> BaseGeometry:
    return polygonal(geom) or Polygon()


def polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The areal part of a clip result (drops touching lines/points), or None if it has no area."""
    if geom.is_empty or geom.area <= 0:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0]
    return shapely.union_all(polys) if polys else None
