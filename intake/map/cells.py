"""Grid cells for one map view: the level the zoom calls for, only those in the box, simplified to a pixel.

9,000 leaf cells drawn at once freeze a browser, and at a district's zoom their detail is below a pixel
anyway: a zoomed-out view gets streets, then communities, leaves only close up, each outline simplified
to about one screen pixel at that zoom, at most ``MAX_CELLS`` of them (a coarser level when more). Each
level's outlines sit in an STRtree in WGS-84 degrees, built once per grid. Cells outside the caller's
grids are left out: a street's dispatcher sees only their street.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from intake.cases.model import Actor
from intake.grid.geodesy import wgs84_to_gcj02
from intake.grid.index import GridIndex
from intake.grid.model import Cell, Datum, Level

MAX_CELLS = 2500
# The level each zoom shows first (a coarser one when the box holds more than MAX_CELLS).
ZOOM_LEVELS = ((11, Level.STREET), (13, Level.COMMUNITY), (99, Level.RESPONSIBILITY))
_DIGITS = 5  # ~1 m: finer than any zoom draws


@dataclass(frozen=True, slots=True)
class Box:
    west: float
    south: float
    east: float
    north: float


class CellLayers:
    """Per level: the cells and an STRtree of their outlines (leaves stand in for the finest level)."""

    def __init__(self, index: GridIndex) -> None:
        leaves = {c.code for c in index.leaves}
        self._cells: dict[Level, list[Cell]] = {}
        for level in (Level.STREET, Level.COMMUNITY):
            self._cells[level] = [c for c in _all(index) if c.level is level and c.code not in leaves]
        self._cells[Level.RESPONSIBILITY] = list(index.leaves)
        self._trees = {lv: STRtree([c.geometry for c in cells]) for lv, cells in self._cells.items()}

    def view(self, actor: Actor, box: Box, zoom: int, datum: Datum) -> dict[str, Any]:
        order = [lv for z, lv in ZOOM_LEVELS if zoom <= z][:1] or [Level.RESPONSIBILITY]
        levels = [lv for lv in (Level.RESPONSIBILITY, Level.COMMUNITY, Level.STREET)
                  if list(Level).index(lv) <= list(Level).index(order[0])]
        tolerance = 360 / (256 * 2 ** max(0, min(zoom, 22)))  # degrees per screen pixel
        for level in levels:
            found = self._in_box(level, actor, box)
            if len(found) <= MAX_CELLS or level is Level.STREET:
                return {"level": str(level), "cells": [_feature(c, tolerance, datum) for c in found[:MAX_CELLS]]}
        return {"level": "", "cells": []}  # unreachable: the street level always answers

    def _in_box(self, level: Level, actor: Actor, box: Box) -> list[Cell]:
        hits = self._trees[level].query(shapely.box(box.west, box.south, box.east, box.north),
                                        predicate="intersects")
        cells = self._cells[level]
        return [cells[i] for i in sorted(int(h) for h in hits) if sees(actor, cells[i].code)]


def sees(actor: Actor, code: str) -> bool:
    """A cell inside the actor's grids (every cell for an admin and a district-wide desk)."""
    return actor.covers(code) if not actor.grids else any(code.startswith(g) for g in actor.grids)


def _all(index: GridIndex) -> list[Cell]:
    return [index.cell(code) for code in _codes(index)]


def _codes(index: GridIndex) -> list[str]:
    seen: set[str] = set()
    for leaf in index.leaves:
        seen.update(c.code for c in index.chain(leaf.code))
    return sorted(seen)


def _feature(cell: Cell, tolerance: float, datum: Datum) -> dict[str, Any]:
    shape = shapely.simplify(cell.geometry, tolerance, preserve_topology=True)
    rings = [_ring(poly.exterior.coords, datum) for poly in getattr(shape, "geoms", [shape]) if not poly.is_empty]
    return {"c": cell.code, "n": cell.name, "g": rings}


def _ring(coords: Any, datum: Datum) -> list[list[float]]:
    """[[lat, lng], …] as Leaflet takes them, in the tile layer's datum."""
    xy: npt.NDArray[np.float64] = np.asarray(coords, dtype=float)
    return [list(display(float(x), float(y), datum))[::-1] for x, y in xy]


def display(lng: float, lat: float, datum: Datum) -> tuple[float, float]:
    """A WGS-84 point as the map shows it: shifted to GCJ-02 under a 高德-style tile layer, rounded."""
    if datum is Datum.GCJ02:
        lng, lat = wgs84_to_gcj02(lng, lat)
    return round(lng, _DIGITS), round(lat, _DIGITS)


def geometry(index: GridIndex, code: str) -> BaseGeometry | None:
    cell = index.find(code)
    return None if cell is None else cell.geometry


_LAYERS: weakref.WeakKeyDictionary[GridIndex, CellLayers] = weakref.WeakKeyDictionary()


def layers_for(index: GridIndex) -> CellLayers:
    """The index's layers, built on first use (a reloaded grid is a new index, so gets new ones)."""
    found = _LAYERS.get(index)
    if found is None:
        found = _LAYERS[index] = CellLayers(index)
    return found
