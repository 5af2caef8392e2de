from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon

from intake.grid.geodesy import LocalProjection
from intake.grid.index import GridIndex
from intake.grid.model import Cell, Level

ORIGIN = LocalProjection(114.5, 22.55)  # fixtures are drawn in metres around here

NW, NE, SW, SE = (f"440307009001{i:03d}" for i in range(1, 5))
MULTI, TINY, NEAR_GAP, FAR_GAP = (f"440307009002{i:03d}" for i in range(1, 5))


def box_m(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return Polygon([ORIGIN.inverse(x, y) for x, y in corners])


def lnglat(x: float, y: float) -> tuple[float, float]:
    return ORIGIN.inverse(x, y)


def cells() -> list[Cell]:
    big = box_m(-1000, -1000, 1000, 1000)
    two_parts = MultiPolygon([box_m(300, 0, 400, 100), box_m(600, 0, 700, 100)])
    return [
        Cell("440307", "district", Level.DISTRICT, None, big),
        Cell("440307009", "street", Level.STREET, "440307", big),
        Cell("440307009001", "community A", Level.COMMUNITY, "440307009", box_m(0, 0, 200, 200)),
        Cell("440307009002", "community B", Level.COMMUNITY, "440307009", box_m(200, -200, 700, 200)),
        Cell(NW, "nw", Level.UNIT, "440307009001", box_m(0, 100, 100, 200)),
        Cell(NE, "ne", Level.UNIT, "440307009001", box_m(100, 100, 200, 200)),
        Cell(SW, "sw", Level.UNIT, "440307009001", box_m(0, 0, 100, 100)),
        Cell(SE, "se", Level.UNIT, "440307009001", box_m(100, 0, 200, 100)),
        Cell(MULTI, "two parts", Level.UNIT, "440307009002", two_parts),
        Cell(TINY, "tiny, overlaps sw", Level.UNIT, "440307009002", box_m(10, 10, 20, 20)),
        Cell(NEAR_GAP, "0.5 m east of ne", Level.UNIT, "440307009002", box_m(200.5, 100, 300, 200)),
        Cell(FAR_GAP, "5 m south of se", Level.UNIT, "440307009002", box_m(100, -100, 200, -5)),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> GridIndex:
    return GridIndex(cells())


def test_inside(index: GridIndex) -> None:
    placed = index.locate(*lnglat(50, 150))
    assert placed is not None
    assert (placed.code, placed.distance_m, placed.inside) == (NW, 0.0, True)


def test_snaps_up_to_200_m_and_reports_the_distance(index: GridIndex) -> None:
    placed = index.locate(*lnglat(-100, 50))
    assert placed is not None
    assert placed.code == SW
    assert not placed.inside
    assert placed.distance_m == pytest.approx(100, abs=0.5)


def test_too_far_is_nowhere(index: GridIndex) -> None:
    assert index.locate(*lnglat(-250, 50)) is None
    assert GridIndex(cells(), snap_m=50).locate(*lnglat(-100, 50)) is None


def test_points_on_edges_are_inside_and_ties_go_to_the_lowest_code(index: GridIndex) -> None:
    on_edge = index.locate(*lnglat(100, 150))
    corner = index.locate(*lnglat(100, 100))
    assert on_edge is not None and corner is not None
    assert (on_edge.code, corner.code) == (NW, NW)
    assert on_edge.distance_m == 0.0


def test_smallest_containing_leaf_wins(index: GridIndex) -> None:
    placed = index.locate(*lnglat(15, 15))
    assert placed is not None and placed.code == TINY


def test_multipolygon_cells(index: GridIndex) -> None:
    second_part = index.locate(*lnglat(650, 50))
    in_the_gap = index.locate(*lnglat(500, 50))
    assert second_part is not None and second_part.code == MULTI and second_part.inside
    assert in_the_gap is not None and in_the_gap.code == MULTI
    assert in_the_gap.distance_m == pytest.approx(100, abs=0.5)


def test_locate_many_agrees_with_locate(index: GridIndex) -> None:
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-400, 1000, 3000), rng.uniform(-400, 500, 3000)
    xs[:4], ys[:4] = [0, 0, 0, 15], [0, 0, 0, 15]  # the last one is in TINY
    lngs, lats = ORIGIN.inverse_arrays(xs, ys)
    lngs[:3] = [math.nan, 114.5, math.inf]
    expected = []
    for lng, lat in zip(lngs, lats, strict=True):
        placed = index.locate(float(lng), float(lat))
        expected.append(placed.code if placed else None)
    got = index.locate_many(lngs, lats)
    assert got == expected
    assert got[0] is None and got[2] is None
    assert {None, NW, NE, SW, SE, MULTI, TINY, NEAR_GAP, FAR_GAP} == set(got)


def test_neighbours_touch_or_lie_within_a_metre(index: GridIndex) -> None:
    assert index.neighbours(NW) == {NE, SW, SE}
    assert NEAR_GAP in index.neighbours(NE)
    assert FAR_GAP not in index.neighbours(SE)
    assert index.neighbours("440307009001") == {TINY, NEAR_GAP}


def test_hierarchy(index: GridIndex) -> None:
    assert [c.code for c in index.chain(SE)] == ["440307", "440307009", "440307009001", SE]
    assert [c.code for c in index.children("440307009001")] == [NW, NE, SW, SE]
    assert index.children(SE) == []
    assert index.cell(NW).name == "nw"
    assert index.find("999") is None
    with pytest.raises(KeyError):
        index.cell("999")
    assert len(index) == 12
    assert NW in index
    assert [c.code for c in index.leaves] == [NW, NE, SW, SE, MULTI, TINY, NEAR_GAP, FAR_GAP]


def test_geometry_helpers(index: GridIndex) -> None:
    assert index.centroid(NW) == pytest.approx(lnglat(50, 150), abs=1e-9)
    assert index.distance_m(NE, *lnglat(150, 150)) == 0.0
    assert index.distance_m(NE, *lnglat(150, 230)) == pytest.approx(30, abs=0.1)
    assert index.distance_m("440307009001", *lnglat(-30, 50)) == pytest.approx(30, abs=0.1)


def test_empty_index() -> None:
    empty = GridIndex([])
    assert empty.locate(114.5, 22.5) is None
    assert empty.locate_many([114.5], [22.5]) == [None]
    assert empty.leaves == ()
