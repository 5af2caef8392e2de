"""Area → cells: polygons, circles, division codes (6 / 9 / 12 digits) and grid codes, on the demo city."""

from __future__ import annotations

import pytest

from intake.alerts.area import Area, AreaIndex, check_polygon, division_prefix
from intake.errors import Invalid
from tests.conftest import Services

NANAO = "440307011"


@pytest.fixture(scope="module")
def areas(services: Services) -> AreaIndex:
    return AreaIndex(services.ctx.grid.index)


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


def test_divisions(areas: AreaIndex) -> None:
    every = areas.cells(Area(divisions=("440307000000",)))
    nanao = areas.cells(Area(divisions=("440307011000",)))
    assert len(every) == len(areas.codes) and 0 < len(nanao) < len(every)
    assert all(c.startswith(NANAO) for c in nanao)
    assert areas.cells(Area(divisions=("410000000000",))) == []  # 河南: not our grid


def test_circle_around_a_leaf(areas: AreaIndex) -> None:
    leaf = next(c for c in areas.codes if c.startswith(NANAO))
    lng, lat = areas.grid.centroid(leaf)
    small = areas.cells(Area(circles=((lng, lat, 0.05),)))
    big = areas.cells(Area(circles=((lng, lat, 3.0),)))
    assert leaf in small and set(small) < set(big)
    far = [c for c in big if areas.grid.distance_m(c, lng, lat) > 3100]
    assert far == []


def test_polygon(areas: AreaIndex) -> None:
    leaf = next(c for c in areas.codes if c.startswith(NANAO))
    lng, lat = areas.grid.centroid(leaf)
    d = 0.002
    ring = check_polygon([(lng - d, lat - d), (lng + d, lat - d), (lng + d, lat + d), (lng - d, lat + d)])
    found = areas.cells(Area(polygons=(ring,)))
    assert leaf in found and len(found) < 50
    # A self-intersecting bow tie is repaired, not an error.
    bow = check_polygon([(lng - d, lat - d), (lng + d, lat + d), (lng + d, lat - d), (lng - d, lat + d)])
    assert leaf in areas.cells(Area(polygons=(bow,)))


def test_grid_codes_expand_and_unknown_ones_are_refused(areas: AreaIndex) -> None:
    street = areas.cells(Area(grids=(NANAO,)))
    assert street == areas.cells(Area(divisions=("440307011",)))
    with pytest.raises(Invalid, match="unknown grid codes"):
        areas.cells(Area(grids=("44030799999999999",)))


@pytest.mark.parametrize("points", [[(0.0, 0.0), (1.0, 1.0)], [(0.0, 0.0)] * 4,
                                    [(200.0, 0.0), (1.0, 1.0), (2.0, 0.0)],
                                    [(float("nan"), 0.0), (1.0, 1.0), (2.0, 0.0)],
                                    [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)] * 2000])
def test_bad_polygons(points: list[tuple[float, float]]) -> None:
    with pytest.raises(Invalid):
        check_polygon(points)
