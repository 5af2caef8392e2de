"""``gridline setup import-grids`` / ``export-grids``: the grid of a district in and out as GeoJSON.

The check (:mod:`intake.grid.import_check`) is CPU work on untrusted geometry: callers hand it to the
heavy-step pool (``run``), never to the event loop. Storing is all-or-nothing in one transaction and
idempotent: a region is keyed by its code, an unchanged one is left alone, a changed one updated; regions
the file does not name are kept (cases and users point at them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from intake.errors import Invalid
from intake.grid.import_check import Known, Region, Report, check
from intake.store.models import Region as RegionRow

Run = Callable[..., Awaitable[Any]]  # HeavyPool.run, or a thread for the command line


@dataclass(frozen=True, slots=True)
class Stored:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


async def known() -> dict[str, Known]:
    rows = await RegionRow.all().values_list("code", "level", "parent_code", "geometry")
    return {str(code): Known(str(level), parent, geometry) for code, level, parent, geometry in rows}


async def preview(raw: bytes, run: Run) -> Report:
    """What importing ``raw`` would do; nothing is stored."""
    return await run(check, raw, await known())  # type: ignore[no-any-return]


async def store(report: Report) -> Stored:
    if not report.ok:
        raise Invalid("the grid file has errors; nothing was stored", errors=list(report.errors))
    created = updated = 0
    async with in_transaction():
        existing = {r.code: r for r in await RegionRow.filter(code__in=[r.code for r in report.regions])}
        fresh = []
        for region in report.regions:
            row = existing.get(region.code)
            if row is None:
                fresh.append(RegionRow(**_fields(region)))
            elif _fields(row_region(row)) != _fields(region):
                await RegionRow.filter(id=row.id).update(**_fields(region))
                updated += 1
        await RegionRow.bulk_create(fresh, batch_size=1000)
        created = len(fresh)
    return Stored(created, updated, len(report.regions) - created - updated)


async def import_grids(raw: bytes, run: Run) -> Stored:
    """Check, then store; ``Invalid`` (with every error by feature) and nothing stored on any error."""
    return await store(await preview(raw, run))


async def export() -> dict[str, Any]:
    """Every stored region as a FeatureCollection (code order), the properties an import reads."""
    rows = await RegionRow.all().order_by("code")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_code},
         "geometry": r.geometry} for r in rows]}


def row_region(row: RegionRow) -> Region:
    return Region(row.code, row.name, row.level, row.parent_code, row.geometry)


def _fields(region: Region) -> Mapping[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level, "parent_code": region.parent,
            "geometry": region.geometry}
