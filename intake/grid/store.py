"""The grid as stored: regions, places, departments and who answers for which cell.

``GridService`` holds the in-memory spatial index and gazetteer built from the
database, and answers "which worker owns this cell" from the ``user_grids`` table.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from tortoise.transactions import in_transaction

from intake.grid.demo import DemoCity
from intake.grid.gazetteer import AddressMatch, Gazetteer, GazetteerEntry
from intake.grid.geodesy import to_wgs84
from intake.grid.index import GridIndex
from intake.grid.model import Cell, Datum, Level, Placement
from intake.store import db
from intake.store.models import Department, Place, Region, User, UserGrid

# The regions' own columns, their GeoJSON as the database keeps it (text on SQLite, jsonb on PostgreSQL).
REGIONS = "SELECT code, name, level, parent_code, geometry FROM regions ORDER BY code"


class GridService:
    """Point or address → cell, cell → its chain and its worker."""

    def __init__(self, index: GridIndex, gazetteer: Gazetteer) -> None:
        self.index = index
        self.gazetteer = gazetteer

    @classmethod
    async def from_db(cls) -> GridService:
        index = _index(await db.fetch(REGIONS, []))
        places = [GazetteerEntry(p.name, p.kind, p.code, tuple(p.aliases)) for p in await Place.all()]
        return cls(index, Gazetteer(places))

    async def reload(self) -> None:
        """Rebuild the index from the database (after a grid import), off the event loop: seconds of shapely."""
        self.index = await asyncio.to_thread(_index, await db.fetch(REGIONS, []))

    def locate(self, lng: float, lat: float, datum: Datum) -> Placement | None:
        wgs_lng, wgs_lat = to_wgs84(lng, lat, datum)
        return self.index.locate(wgs_lng, wgs_lat)

    def match_address(self, text: str) -> AddressMatch | None:
        return self.gazetteer.best(text) if text.strip() else None

    def district_of(self, code: str | None) -> str | None:
        if not code or code not in self.index:
            return None
        return self.index.chain(code)[0].code

    def ancestors(self, code: str) -> list[str]:
        """The cell and every region above it, nearest first."""
        return [c.code for c in reversed(self.index.chain(code))] if code in self.index else [code]

    async def worker_for(self, code: str) -> User | None:
        """The worker on duty for the cell: an owner of the cell (else of the nearest region above it) who
        is not on leave, else the substitute an owner on leave named (when active and on duty)."""
        chain = self.ancestors(code)
        links = await UserGrid.filter(grid_code__in=chain, user__role="worker",
                                      user__active=True).select_related("user")
        for level in chain:
            owners = sorted((link.user for link in links if link.grid_code == level), key=lambda u: u.id)
            on_duty = [u for u in owners if not u.on_leave]
            if on_duty:
                return on_duty[0]
            wanted = [u.substitute_id for u in owners if u.substitute_id is not None]
            stand_ins = await User.filter(id__in=wanted, role="worker", active=True, on_leave=False)
            if stand_ins:
                return min(stand_ins, key=lambda u: wanted.index(u.id))
        return None


async def store_city(city: DemoCity, *, replace: bool) -> None:
    """Write a city's regions, places and departments; ``replace`` drops the old ones first."""
    async with in_transaction():
        if replace:
            await Region.all().delete()
            await Place.all().delete()
            await Department.all().delete()
        await db.execute_many("INSERT INTO regions (code, level, name, parent_code, geometry) VALUES (?, ?, ?, ?, ?)",
                              _regions(city.cells))
        await Place.bulk_create([Place(name=e.name, kind=e.kind, code=e.code, aliases=list(e.aliases))
                                 for e in city.gazetteer], batch_size=1000)
        await Department.bulk_create([Department(code=d.code, line=d.line, name=d.name,
                                                 region_code=d.region_code, email=d.email)
                                      for d in city.departments])


def _index(rows: list[dict[str, Any]]) -> GridIndex:
    """Every start reads each cell's geometry (the demo city has ~9,000): GEOS parses the stored GeoJSON
    text in one call, a fifth of the CPU of decoding it to Python objects and building shapes from those
    (the same coordinates: both read each number as the nearest double)."""
    texts = [g if isinstance(g, str) else json.dumps(g) for g in (r["geometry"] for r in rows)]
    shapes = shapely.from_geojson(np.array(texts, dtype=object)) if texts else []
    return GridIndex([Cell(r["code"], r["name"], Level(r["level"]), r["parent_code"], geometry)
                      for r, geometry in zip(rows, shapes, strict=True)])


def _regions(cells: Iterable[Cell]) -> list[list[Any]]:
    """Rows for ``regions`` as ``Region.bulk_create`` wrote them, without a model instance per cell (the demo
    city's ~9,000 cells are written on a newcomer's first start)."""
    return [[c.code, str(c.level), c.name, c.parent, db.db_value(Region, "geometry", _geojson(c.geometry))]
            for c in cells]


def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    """``shapely.geometry.mapping`` of a cell, without its Python loop over each coordinate for the flat
    polygons cells are: half the CPU, the same numbers (lists where it gives tuples: the same JSON)."""
    if not geom.is_empty and not geom.has_z:
        if geom.geom_type == "Polygon":
            return {"type": "Polygon", "coordinates": _rings(geom)}
        if geom.geom_type == "MultiPolygon":
            return {"type": "MultiPolygon", "coordinates": [_rings(part) for part in geom.geoms]}
    return dict(mapping(geom))


def _rings(polygon: Any) -> list[list[list[float]]]:
    return [shapely.get_coordinates(ring).tolist() for ring in (polygon.exterior, *polygon.interiors)]
