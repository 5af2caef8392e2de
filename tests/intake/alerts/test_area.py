"""Area → cells: polygons, circles, division codes (6 / 9 / 12 digits) and grid codes, on the demo city."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator

import pytest

from intake.alerts.area import Area, AreaIndex, check_polygon, division_prefix
from intake.alerts.shapes import ShapeLimits
from intake.errors import Busy, Invalid
from intake.heavy import Budget, HeavyPool
from tests.conftest import Services
from tests.reliability.bombs import polygon_bomb

NANAO = "440307011"


@pytest.fixture(scope="module")
def areas(services: Services) -> Iterator[AreaIndex]:
    index = AreaIndex(services.ctx.grid.index)
    yield index
    index.heavy.close()


@pytest.mark.parametrize(("code", "prefix"), [("440307", "440307"), ("440307011", "440307011"),
                                              ("440307011000", "440307011"), ("440307000000", "440307"),
                                              ("440000000000", "44"), ("440300", "4403"),
                                              ("440307011001", "440307011001"), ("410000000000", "41")])
def test_division_prefix(code: str, prefix: str) -> None:
    assert division_prefix(code) == prefix


@pytest.mark.parametrize("code", ["4403", "44030701100", "abcdef", "4403070110001"])
def test_division_code_shapes(code: str) -> None:
    with pytest.raises(Invalid):
        division_prefix(code)


async def test_divisions(areas: AreaIndex) -> None:
    every = await areas.cells(Area(divisions=("440307000000",)))
    nanao = await areas.cells(Area(divisions=("440307011000",)))
    assert len(every) == len(areas.codes) and 0 < len(nanao) < len(every)
    assert all(c.startswith(NANAO) for c in nanao)
    assert await areas.cells(Area(divisions=("410000000000",))) == []  # 河南: not our grid


async def test_circle_around_a_leaf(areas: AreaIndex) -> None:
    leaf = next(c for c in areas.codes if c.startswith(NANAO))
    lng, lat = areas.grid.centroid(leaf)
    small = await areas.cells(Area(circles=((lng, lat, 0.05),)))
    big = await areas.cells(Area(circles=((lng, lat, 3.0),)))
    assert leaf in small and set(small) < set(big)
    far = [c for c in big if areas.grid.distance_m(c, lng, lat) > 3100]
    assert far == []


async def test_polygon(areas: AreaIndex) -> None:
    leaf = next(c for c in areas.codes if c.startswith(NANAO))
    lng, lat = areas.grid.centroid(leaf)
    d = 0.002
    ring = check_polygon([(lng - d, lat - d), (lng + d, lat - d), (lng + d, lat + d), (lng - d, lat + d)])
    found = await areas.cells(Area(polygons=(ring,)))
    assert leaf in found and len(found) < 50
    # A self-intersecting bow tie is repaired, not an error.
    bow = check_polygon([(lng - d, lat - d), (lng + d, lat + d), (lng + d, lat - d), (lng - d, lat + d)])
    assert leaf in await areas.cells(Area(polygons=(bow,)))


async def test_grid_codes_expand_and_unknown_ones_are_refused(areas: AreaIndex) -> None:
    street = await areas.cells(Area(grids=(NANAO,)))
    assert street == await areas.cells(Area(divisions=("440307011",)))
    with pytest.raises(Invalid, match="unknown grid codes"):
        await areas.cells(Area(grids=("44030799999999999",)))


@pytest.mark.parametrize("points", [[(0.0, 0.0), (1.0, 1.0)], [(0.0, 0.0)] * 4,
                                    [(200.0, 0.0), (1.0, 1.0), (2.0, 0.0)],
                                    [(float("nan"), 0.0), (1.0, 1.0), (2.0, 0.0)],
                                    [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)] * 2000])
def test_bad_polygons(points: list[tuple[float, float]]) -> None:
    with pytest.raises(Invalid):
        check_polygon(points)


async def test_polygon_bomb_is_refused_before_any_repair(areas: AreaIndex) -> None:
    # 300 random points: ~10,000 edge crossings; make_valid on it froze the server for 11–30 s.
    lng, lat = areas.grid.centroid(next(c for c in areas.codes if c.startswith(NANAO)))
    await areas.heavy.start()  # a large ring is vetted in a worker; their one start is not the vetting's time
    started = time.perf_counter()
    with pytest.raises(Invalid, match="cross each other more than"):
        await areas.cells(Area(polygons=(check_polygon(polygon_bomb(5000, (lng, lat))),)))
    with pytest.raises(Invalid, match="cross each other more than"):
        await areas.cells(Area(polygons=(check_polygon(polygon_bomb(300, (lng, lat))),)))
    assert time.perf_counter() - started < 1.0
    many = tuple(check_polygon(polygon_bomb(4000, (lng, lat), seed=s)) for s in range(6))
    with pytest.raises(Invalid, match="vertices together"):
        await areas.cells(Area(polygons=many))
    world = check_polygon([(-170.0, -80.0), (170.0, -80.0), (170.0, 80.0), (-170.0, 80.0)])
    with pytest.raises(Invalid, match="extent"):
        await areas.cells(Area(polygons=(world,)))


async def test_a_large_ring_is_vetted_in_a_worker(areas: AreaIndex) -> None:
    """A 4,990-vertex outline: a valid one finds its cells, one that crosses itself a few times is repaired,
    and a zigzag its closing edges cross 2,000 times is refused."""
    lng, lat = areas.grid.centroid(next(c for c in areas.codes if c.startswith(NANAO)))
    small = await areas.cells(Area(polygons=(check_polygon(_circle(lng, lat, 0.01, 40)),)))
    ring = _circle(lng, lat, 0.01, 4990)
    assert await areas.cells(Area(polygons=(check_polygon(ring),))) == small
    bowtie = check_polygon([*ring[:2500], (lng + 0.03, lat), *ring[2500:]])  # one spike: a few crossings
    assert set(small) <= set(await areas.cells(Area(polygons=(bowtie,))))
    zigzag = [(lng + (i % 2) * 0.02, lat + i * 1e-6) for i in range(2000)]
    zigzag += [(lng + 0.01, lat + 0.01), (lng, lat - 0.01)]
    with pytest.raises(Invalid, match="cross each other more than"):
        await areas.cells(Area(polygons=(check_polygon(zigzag),)))


def _circle(lng: float, lat: float, radius: float, n: int) -> list[tuple[float, float]]:
    return [(lng + radius * math.cos(2 * math.pi * i / n), lat + radius * math.sin(2 * math.pi * i / n))
            for i in range(n)]


async def test_a_repair_over_budget_is_busy_and_the_loop_keeps_answering(areas: AreaIndex) -> None:
    lng, lat = areas.grid.centroid(next(c for c in areas.codes if c.startswith(NANAO)))
    lax = AreaIndex(areas.grid, HeavyPool(Budget(seconds=1.0)), ShapeLimits(max_crossings=10**9))
    try:
        await lax.heavy.start()
        task = asyncio.ensure_future(lax.cells(Area(polygons=(check_polygon(polygon_bomb(400, (lng, lat))),))))
        ticks, started = 0, time.perf_counter()
        while not task.done():
            await asyncio.sleep(0.05)
            ticks += 1
        with pytest.raises(Busy):
            task.result()
        assert ticks >= 10 and time.perf_counter() - started < 10
    finally:
        lax.heavy.close()
