"""Complexity limits on an alert's shapes, checked before any repair, and the repair itself.

``make_valid`` on a polygon whose edges cross each other many times grows much faster than its vertex
count (300 random points: 11–30 s, 5,000: over ten minutes and 10 GB). The limits here are cheap to
check — vertex counts, the bounding box's extent and the number of edge crossings counted with an
R-tree in bounded chunks, stopping as soon as the limit is passed — so a bomb is refused in
milliseconds; what passes is repaired in a worker process (:mod:`intake.heavy`) with a time budget.

Only a small ring (:data:`INLINE_VERTICES`) is vetted on the event loop: counting a 5,000-vertex bomb's
crossings still takes 0.1–0.3 s of GEOS and object churn on a loaded machine, and a ring drawn so its
edges' boxes overlap without crossing makes the count quadratic. A larger ring is vetted *and* repaired
in the worker (:func:`vet_and_repair`), under the same time budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from intake.errors import Invalid

Point = tuple[float, float]
_CHUNK = 256  # edges per R-tree query at most: at most _CHUNK × vertices candidate pairs in memory
INLINE_VERTICES = 64  # at most 64² edge pairs: vetted on the loop in about a millisecond


@dataclass(frozen=True, slots=True)
class ShapeLimits:
    max_vertices: int = 20_000  # all polygons of one alert together
    max_shapes: int = 200
    max_crossings: int = 100  # edge crossings per polygon before repair is refused
    max_extent_deg: float = 60.0  # a polygon's bounding box spans at most this many degrees each way


def vet_counts(polygons: Sequence[Sequence[Point]], circles: int, limits: ShapeLimits) -> None:
    if len(polygons) + circles > limits.max_shapes:
        raise Invalid(f"an alert may have at most {limits.max_shapes} polygons and circles")
    if sum(len(p) for p in polygons) > limits.max_vertices:
        raise Invalid(f"an alert's polygons may have at most {limits.max_vertices} vertices together")


def vet_extent(ring: Sequence[Point], limits: ShapeLimits) -> None:
    """:class:`Invalid` when the ring (degrees: a far-away shape distorts in metres) spans too much."""
    span = np.ptp(np.asarray(ring, dtype=float), axis=0)
    if span.max() > limits.max_extent_deg:
        raise Invalid(f"a polygon's extent may be at most {limits.max_extent_deg:g}° of longitude and latitude")


def needs_repair(shape: BaseGeometry, max_crossings: int) -> bool:
    """Whether ``shape`` needs repair; :class:`Invalid` when its edges cross more than ``max_crossings`` times."""
    if shapely.is_valid(shape):
        return False
    if crossings(shapely.get_coordinates(shape.exterior), max_crossings) > max_crossings:
        raise Invalid(f"the polygon's edges cross each other more than {max_crossings} times; "
                      "draw the outline without crossing lines")
    return True


def crossings(ring: Sequence[Point] | npt.NDArray[np.float64], limit: int) -> int:
    """Pairs of non-adjacent edges that touch or cross, counted until ``limit`` is passed."""
    coords = np.asarray(ring, dtype=float)
    edges = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1))
    n = len(edges)
    tree = shapely.STRtree(edges)
    found, start, chunk = 0, 0, 8  # small first: a bomb is found over its first few edges
    while start < n and found <= limit:
        left, right = tree.query(edges[start:start + chunk], predicate="intersects")
        left = left + start
        gap = np.abs(left - right)
        found += int(((left < right) & (gap > 1) & (gap != n - 1)).sum())  # neighbours share a vertex
        start, chunk = start + chunk, min(chunk * 2, _CHUNK)
    return found


def repair(wkb: bytes) -> bytes:
    """Runs in a worker process: the valid form of a polygon (WKB in, WKB out)."""
    return bytes(shapely.to_wkb(shapely.make_valid(shapely.from_wkb(wkb))))


def vet_and_repair(wkb: bytes, max_crossings: int) -> bytes | None:
    """Runs in a worker process: ``None`` when the polygon is valid, else its repaired form (WKB);
    :class:`Invalid` (raised back in the caller) when it is too tangled to repair."""
    shape = shapely.from_wkb(wkb)
    return repair(wkb) if needs_repair(shape, max_crossings) else None
