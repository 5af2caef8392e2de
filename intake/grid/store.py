"""The grid as stored: regions, places, departments and who answers for which cell.

``GridService`` holds the in-memory spatial index and gazetteer built from the
database, and answers "which worker owns this cell" from the ``user_grids`` table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from shapely.geometry import mapping, shape
from tortoise.transactions import in_transaction

from intake.grid.demo import DemoCity
from intake.grid.gazetteer import AddressMatch, Gazetteer, GazetteerEntry
from intake.grid.geodesy import to_wgs84
from intake.grid.index import GridIndex
from intake.grid.model import Cell, Datum, Level, Placement
from intake.store.models import Department, Place, Region, User, UserGrid


class GridService:
    """Point or address → cell, cell → its chain and its worker."""

    def __init__(self, index: GridIndex, gazetteer: Gazetteer) -> None:
        self.index = index
        self.gazetteer = gazetteer

    @classmethod
    async def from_db(cls) -> GridService:
        regions = await Region.all().order_by("code")
        cells = [Cell(r.code, r.name, Level(r.level), r.parent_code, shape(r.geometry)) for r in regions]
        places = [GazetteerEntry(p.name, p.kind, p.code, tuple(p.aliases)) for p in await Place.all()]
        return cls(GridIndex(cells), Gazetteer(places))

    async def reload(self) -> None:
        """Rebuild the index from the database (after a grid import), off the event loop: seconds of shapely."""
        rows = await Region.all().order_by("code").values_list("code", "name", "level", "parent_code", "geometry")
        self.index = await asyncio.to_thread(_index, rows)

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
        await Region.bulk_create(_regions(city.cells), batch_size=1000)
        await Place.bulk_create([Place(name=e.name, kind=e.kind, code=e.code, aliases=list(e.aliases))
                                 for e in city.gazetteer], batch_size=1000)
        await Department.bulk_create([Department(code=d.code, line=d.line, name=d.name,
                                                 region_code=d.region_code, email=d.email)
                                      for d in city.departments])


def _index(rows: list[tuple[Any, ...]]) -> GridIndex:
    return GridIndex([Cell(code, name, Level(level), parent, shape(geometry))
                      for code, name, level, parent, geometry in rows])


def _regions(cells: Iterable[Cell]) -> list[Region]:
    return [Region(code=c.code, level=str(c.level), name=c.name, parent_code=c.parent,
                   geometry=mapping(c.geometry)) for c in cells]
