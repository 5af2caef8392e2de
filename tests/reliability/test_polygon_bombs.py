"""The polygon bomb, many sizes and seeds: refused or repaired off the loop, the loop never stalls."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

from intake.alerts.area import Area, AreaIndex, check_polygon
from intake.errors import Busy, Invalid
from tests.conftest import Services
from tests.reliability.bombs import polygon_bomb

pytestmark = pytest.mark.reliability
SIZES = (4, 5, 8, 20, 50, 100, 300, 1000, 5000)


async def test_no_bomb_stalls_the_loop(services: Services) -> None:
    areas = AreaIndex(services.ctx.grid.index)
    lng, lat = services.ctx.grid.index.centroid(services.ctx.grid.index.leaves[-1].code)
    await areas.heavy.start()
    # As the server does once started (bot/runner.py): what the suite built before is out of the collector's
    # view, so a full collection of hundreds of earlier tests' objects is not counted as the bomb's stall.
    gc.collect()
    gc.freeze()
    worst, outcomes = 0.0, []
    try:
        for size in SIZES:
            for seed in range(3):
                ring = check_polygon(polygon_bomb(size, (lng, lat), seed=seed))
                task = asyncio.ensure_future(areas.cells(Area(polygons=(ring,))))
                last = time.perf_counter()
                while not task.done():
                    await asyncio.sleep(0.01)
                    now = time.perf_counter()
                    worst, last = max(worst, now - last), now
                try:
                    outcomes.append(("cells", len(task.result())))
                except (Invalid, Busy) as exc:
                    outcomes.append((type(exc).__name__, 0))
    finally:
        gc.unfreeze()
        areas.heavy.close()
    assert worst < 0.5, worst
    assert ("Invalid", 0) in outcomes and any(kind == "cells" for kind, _ in outcomes)
