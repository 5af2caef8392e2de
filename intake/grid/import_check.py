"""Checking a grid file as a hierarchy: codes, parents, valid polygons, children inside parents, siblings
that neither overlap nor leave gaps. Pure and picklable: :func:`check` runs in the heavy-step worker.

``known`` is what the database holds already (code → level, parent, geometry), so a file may add streets to
a district it does not repeat. Areas are compared relative to the shapes (``TOLERANCE``): coordinates
rounded by an export or a GIS tool leave slivers of a few square centimetres that are no gap.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from intake.grid.import_read import Feature, Problems, read, where
from intake.grid.model import Level

TOLERANCE = 1e-6  # of the smaller shape's area
M2_PER_DEG2 = 111_320.0 ** 2


@dataclass(frozen=True, slots=True)
class Known:
    level: str
    parent: str | None
    geometry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None
    geometry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Report:
    """What an import would store (``regions``) or why it stores nothing (``errors``, by feature)."""

    regions: tuple[Region, ...] = ()
    errors: tuple[str, ...] = ()
    by_level: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.regions)


def check(raw: bytes, known: Mapping[str, Known]) -> Report:
    problems = Problems()
    features = read(raw, problems)
    if not features and not problems:
        problems.add("file", "no features")
    seen: dict[str, int] = {}
    for f in features:
        if f.code in seen:
            problems.add(where(f.number, f.code), f"code {f.code} is also feature {seen[f.code]}")
        seen.setdefault(f.code, f.number)
    parents = _parents(features, known, problems)
    shapes = _shapes(features, problems)
    if not problems:
        _hierarchy(features, parents, shapes, known, problems)
    if problems:
        return Report(errors=tuple(problems))
    regions = tuple(Region(f.code, f.name, str(f.level), parents[f.code], f.geometry) for f in features)
    counts: dict[str, int] = defaultdict(int)
    for f in features:
        counts[str(f.level)] += 1
    return Report(regions=regions, by_level=dict(counts))


def _parents(features: list[Feature], known: Mapping[str, Known], problems: Problems) -> dict[str, str | None]:
    """Each feature's parent: as given, else the longest other code (in the file or stored) its code starts with."""
    levels = {code: Level(k.level) for code, k in known.items()} | {f.code: f.level for f in features}
    out: dict[str, str | None] = {}
    for f in features:
        here = where(f.number, f.code)
        parent = f.parent or max((f.code[:n] for n in range(6, len(f.code)) if f.code[:n] in levels),
                                 key=len, default=None)
        out[f.code] = parent
        if f.level is Level.DISTRICT:
            if parent is not None:
                problems.add(here, f"a district has no parent (its code extends {parent})")
            out[f.code] = None
            continue
        if parent is None or parent not in levels:
            problems.add(here, f"parent {parent or '(none found)'} is neither in the file nor stored")
        elif not f.code.startswith(parent) or f.code == parent:
            problems.add(here, f"code must extend its parent's code {parent}")
        elif levels[parent].depth >= f.level.depth:
            problems.add(here, f"a {f.level} cannot lie in a {levels[parent]} ({parent})")
    return out


def _shapes(features: list[Feature], problems: Problems) -> dict[str, BaseGeometry]:
    out = {}
    for f in features:
        try:
            geom = shape(f.geometry)
        except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError) as exc:
            problems.add(where(f.number, f.code), f"not a polygon ({str(exc)[:80]})")
            continue
        if not geom.is_valid:
            problems.add(where(f.number, f.code), f"invalid polygon: {explain_validity(geom)}")
        elif geom.area <= 0:
            problems.add(where(f.number, f.code), "the polygon has no area")
        else:
            out[f.code] = geom
    return out


def _hierarchy(features: list[Feature], parents: Mapping[str, str | None], shapes: dict[str, BaseGeometry],
               known: Mapping[str, Known], problems: Problems) -> None:
    numbers = {f.code: f.number for f in features}
    siblings: dict[str, list[str]] = defaultdict(list)
    for f in features:
        parent = parents[f.code]
        if parent is None:
            continue
        siblings[parent].append(f.code)
        outer = shapes.get(parent) or shape(known[parent].geometry)
        outside = shapes[f.code].difference(outer).area
        if outside > TOLERANCE * shapes[f.code].area:
            problems.add(where(f.number, f.code), f"lies {_m2(outside, outer)} outside its parent {parent}")
    stored: dict[str, list[str]] = defaultdict(list)  # the stored children the file leaves as they are
    for code, k in known.items():
        if k.parent in siblings and code not in numbers:
            stored[k.parent].append(code)
    for parent, codes in siblings.items():
        _overlaps(codes, shapes, numbers, problems)
        _overlaps_stored(stored.get(parent, []), codes, shapes, numbers, known, problems)
        if parent in shapes:  # the parent is in the file: its children must cover it
            gap = shapes[parent].difference(shapely.union_all([shapes[c] for c in codes])).area
            if gap > TOLERANCE * shapes[parent].area:
                problems.add(where(numbers[parent], parent), f"its children leave a gap of {_m2(gap, shapes[parent])}")


def _overlaps(codes: list[str], shapes: dict[str, BaseGeometry], numbers: Mapping[str, int],
              problems: Problems) -> None:
    geoms = [shapes[c] for c in codes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        common = geoms[i].intersection(geoms[j]).area
        if common > TOLERANCE * min(geoms[i].area, geoms[j].area):
            problems.add(where(numbers[codes[i]], codes[i]), f"overlaps {codes[j]} by {_m2(common, geoms[i])}")


def _overlaps_stored(stored: list[str], codes: list[str], shapes: dict[str, BaseGeometry],
                     numbers: Mapping[str, int], known: Mapping[str, Known], problems: Problems) -> None:
    """A new or changed region may not overlap a stored sibling the file leaves as it is."""
    if not stored:
        return
    others = [shape(known[c].geometry) for c in stored]
    tree = shapely.STRtree(others)
    for code in codes:
        for j in tree.query(shapes[code], predicate="intersects").tolist():
            common = shapes[code].intersection(others[j]).area
            if common > TOLERANCE * min(shapes[code].area, others[j].area):
                problems.add(where(numbers[code], code), f"overlaps the stored {stored[j]} by {_m2(common, others[j])}")


def _m2(area_deg2: float, near: BaseGeometry) -> str:
    """Square degrees near ``near`` as square metres, rounded for a reader."""
    lat = near.centroid.y
    return f"{area_deg2 * M2_PER_DEG2 * math.cos(math.radians(lat)):,.0f} m²"
