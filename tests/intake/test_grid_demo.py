from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Polygon

from intake.grid.demo import SHARED_BOUNDARY_FILE, DemoCity, build_demo_city, find_geo_dir
from intake.grid.demo_places import PLACES, SYNTHETIC_OUTLINE
from intake.grid.gazetteer import Gazetteer
from intake.grid.index import GridIndex
from intake.grid.model import Level
from intake.taxonomy.catalog import Catalog
from tests.conftest import shared_data

DISTRICT = "440307"
STREETS = {"440307009": "葵涌街道", "440307010": "大鹏街道", "440307011": "南澳街道"}


@pytest.fixture(scope="module")
def synthetic() -> DemoCity:
    return build_demo_city(None)


@pytest.fixture(scope="module")
def shared() -> DemoCity:
    return build_demo_city(shared_data(f"geo/{SHARED_BOUNDARY_FILE}").parent)


@pytest.fixture(scope="module", params=["synthetic", "shared"])
def city(request: pytest.FixtureRequest) -> DemoCity:
    built: DemoCity = request.getfixturevalue(request.param)
    return built


def leaves(city: DemoCity) -> list[str]:
    parents = {c.parent for c in city.cells}
    return [c.code for c in city.cells if c.code not in parents]


def test_codes_are_well_formed_and_prefix_consistent(city: DemoCity) -> None:
    by_code = {c.code: c for c in city.cells}
    assert len(by_code) == len(city.cells)
    for cell in city.cells:
        assert cell.code.isdigit() and len(cell.code) == cell.level.code_length
        if cell.level is Level.DISTRICT:
            assert (cell.code, cell.parent) == (DISTRICT, None)
            continue
        assert cell.parent is not None and cell.code.startswith(cell.parent)
        assert by_code[cell.parent].level.depth == cell.level.depth - 1


def test_counts(city: DemoCity) -> None:
    levels = Counter(c.level for c in city.cells)
    assert levels[Level.DISTRICT] == 1
    assert levels[Level.STREET] == 3
    assert levels[Level.COMMUNITY] == 24
    assert 1000 < levels[Level.UNIT] < levels[Level.RESPONSIBILITY] <= 4 * levels[Level.UNIT]
    assert len(city.cells) < 10_000
    assert {c.code: c.name for c in city.cells if c.level is Level.STREET} == STREETS
    assert set(leaves(city)) == {c.code for c in city.cells if c.level is Level.RESPONSIBILITY}


def test_leaves_tile_the_district(city: DemoCity) -> None:
    district = city.cells[0].geometry
    geoms = [c.geometry for c in city.cells if c.level is Level.RESPONSIBILITY]
    assert all(shapely.within(geoms, district.buffer(1e-7)))
    assert sum(g.area for g in geoms) == pytest.approx(district.area, rel=1e-6)


def test_every_leaf_has_exactly_one_worker(city: DemoCity) -> None:
    workers = [p for p in city.people if p.role == "worker"]
    owned = Counter(code for p in workers for code in p.grids)
    assert set(owned) == set(leaves(city))
    assert set(owned.values()) == {1}
    assert all(len({g[:12] for g in p.grids}) == 1 for p in workers)  # one community each
    per_community = Counter(p.grids[0][:12] for p in workers)
    assert len(per_community) == 24 and set(per_community.values()) == {2}
    assert len({p.name for p in city.people}) == len(city.people)


def test_dispatchers_and_admin(city: DemoCity) -> None:
    roles = Counter(p.role for p in city.people)
    assert (roles["dispatcher"], roles["admin"]) == (3, 1)
    assert {p.grids for p in city.people if p.role == "dispatcher"} == {(s,) for s in STREETS}
    assert [p.grids for p in city.people if p.role == "admin"] == [(DISTRICT,)]


def test_departments(city: DemoCity) -> None:
    codes = {d.code for d in city.departments}
    assert "440307-urban_management" in codes and "440307009-urban_management" in codes
    for d in city.departments:
        assert d.code == f"{d.region_code}-{d.line}"
        assert d.email.endswith("@dapeng.example.org")
        assert d.region_code in {DISTRICT, *STREETS}
    lines = {d.line for d in city.departments}
    assert set(Catalog.load().departments) <= lines  # every department the taxonomy names has a row
    for line in ("street_enforcement", "justice", "street_office"):  # street lines: one per street
        assert {d.region_code for d in city.departments if d.line == line} == set(STREETS)


def test_gazetteer_places_resolve_to_their_unit_grid(city: DemoCity) -> None:
    cells = {c.code: c for c in city.cells}
    index = GridIndex(city.cells)
    entries = {e.name: e for e in city.gazetteer}
    for place in PLACES:
        entry = entries[place.name]
        assert cells[entry.code].level is Level.UNIT and entry.code.startswith(place.street)
        placed = index.locate(place.lng, place.lat)
        assert placed is not None and placed.inside and placed.code.startswith(entry.code)
    kinds = Counter(e.kind for e in city.gazetteer)
    assert (kinds["street"], kinds["community"]) == (3, 24)
    assert Gazetteer(city.gazetteer).best("大鹏所城门口有人乱停车") is not None


def test_deterministic() -> None:
    a, b = build_demo_city(None), build_demo_city(None)
    assert a.gazetteer == b.gazetteer and a.people == b.people and a.departments == b.departments
    assert [(c.code, c.name) for c in a.cells] == [(c.code, c.name) for c in b.cells]
    assert all(x.geometry.equals_exact(y.geometry, 0) for x, y in zip(a.cells, b.cells, strict=True))


def test_synthetic_fallback(synthetic: DemoCity, tmp_path: Path) -> None:
    assert synthetic.boundary_source == "synthetic"
    assert synthetic.cells[0].geometry.equals(Polygon(SYNTHETIC_OUTLINE))
    x0, y0, x1, y1 = synthetic.cells[0].geometry.bounds
    assert 114.35 < x0 < x1 < 114.63 and 22.44 < y0 < y1 < 22.67
    assert build_demo_city(tmp_path).boundary_source == "synthetic"  # a geo dir without the file


def test_shared_boundary_is_used_when_present(shared: DemoCity) -> None:
    assert shared.boundary_source == f"shared:{SHARED_BOUNDARY_FILE}"
    district = shared.cells[0].geometry
    assert not district.equals(Polygon(SYNTHETIC_OUTLINE))
    assert district.bounds == pytest.approx((114.333, 22.441, 114.624, 22.673), abs=1e-3)


def test_find_geo_dir_prefers_the_configured_folder(tmp_path: Path) -> None:
    assert find_geo_dir(tmp_path) == tmp_path
    assert find_geo_dir(tmp_path / "missing") != tmp_path / "missing"
