"""Grid geometry for the alert maps, from gridline's own cells (the grid index): compact, simplified rings
in Leaflet's (lat, lng) order, and the streets and communities the compose form offers."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from intake.grid.index import GridIndex

MAX_SHAPES = 4000  # above this the map shows the count, not the cells (a page must stay light)
TOLERANCE = 0.00003  # degrees (~3 m): invisible at street zoom, a third of the bytes


def rings(geometry: BaseGeometry) -> list[list[list[float]]]:
    simple = geometry.simplify(TOLERANCE, preserve_topology=True)
    parts = getattr(simple, "geoms", [simple])
    return [[[round(y, 5), round(x, 5)] for x, y in part.exterior.coords] for part in parts if not part.is_empty]


def shapes(index: GridIndex, codes: list[str]) -> dict[str, list[list[list[float]]]]:
    """Each cell's rings; empty when there are more than :data:`MAX_SHAPES` cells."""
    if len(codes) > MAX_SHAPES:
        return {}
    return {c: rings(index.cell(c).geometry) for c in codes if c in index}


def places(index: GridIndex) -> list[dict[str, object]]:
    """The district's streets, each with its communities: what the compose form's pickers list."""
    if not index.leaves:
        return []
    top = index.chain(index.leaves[0].code)[0]
    return [{"code": s.code, "name": s.name,
             "communities": [{"code": c.code, "name": c.name} for c in index.children(s.code)]}
            for s in index.children(top.code)]


def outline(index: GridIndex) -> dict[str, list[list[list[float]]]]:
    """The streets' outlines: the compose map's backdrop (no tiles leave the network)."""
    top = index.chain(index.leaves[0].code)[0] if index.leaves else None
    return {s.code: rings(s.geometry.simplify(0.0005)) for s in index.children(top.code)} if top else {}
