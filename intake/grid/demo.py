"""The demo city: Shenzhen 大鹏新区, subdivided down to responsibility grids.

大鹏新区 is a functional area (功能区), not an administrative district: its three
streets still carry 龙岗区's division code, so the demo district uses 440307 and the
real street codes 葵涌 440307009, 大鹏 440307010, 南澳 440307011.

Licence rule: no shared data is copied into the project. The district boundary is
read at run time from ``<geo_dir>/shenzhen_districts_wgs84.json`` (transbigdata,
BSD-3-Clause; feature ``qh == "大鹏"``) when present; otherwise a hand-drawn synthetic
outline is used (:data:`demo_places.SYNTHETIC_OUTLINE`). Everything below district
level is synthetic (see :mod:`demo_geometry`); names are real, people are fictitious.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

from intake.grid import demo_places as places
from intake.grid.demo_geometry import Lattice, equal_area_parts, quarters, split_streets, unit_grids
from intake.grid.gazetteer import GazetteerEntry
from intake.grid.model import Cell, Level
from intake.taxonomy.catalog import Catalog

SHARED_BOUNDARY_FILE = "shenzhen_districts_wgs84.json"
_SHARED_NAME = "大鹏"  # the ``qh`` property of the district's feature


@dataclass(frozen=True, slots=True)
class DemoDepartment:
    code: str  # "<region code>-<line>"
    line: str
    name: str
    region_code: str
    email: str


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    role: str  # "worker" | "dispatcher" | "admin"
    grids: tuple[str, ...]
    phone: str


@dataclass(frozen=True, slots=True)
class DemoCity:
    cells: tuple[Cell, ...]
    gazetteer: tuple[GazetteerEntry, ...]
    departments: tuple[DemoDepartment, ...]
    people: tuple[DemoPerson, ...]
    boundary_source: str  # "shared:<file name>" or "synthetic"


def find_geo_dir(configured: Path | None = None) -> Path | None:
    """The configured folder (``GRIDLINE_GEO_DIR``), else ``<repo>/../shared/data/geo``, else None."""
    candidates = [configured] if configured else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data" / "geo")
    return next((p for p in candidates if p.is_dir()), None)


def load_boundary(geo_dir: Path | None) -> tuple[BaseGeometry, str]:
    path = geo_dir / SHARED_BOUNDARY_FILE if geo_dir is not None else None
    if path is None or not path.is_file():
        return Polygon(places.SYNTHETIC_OUTLINE), "synthetic"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    found = [f for f in features if f.get("properties", {}).get("qh") == _SHARED_NAME]
    if not found:
        raise ValueError(f"{path} has no feature with qh={_SHARED_NAME!r}")
    return shapely.make_valid(shape(found[0]["geometry"])), f"shared:{SHARED_BOUNDARY_FILE}"


def build_demo_city(geo_dir: Path | None) -> DemoCity:
    boundary, source = load_boundary(geo_dir)
    cells = _cells(boundary)
    return DemoCity(
        cells=cells,
        gazetteer=_gazetteer(cells),
        departments=_departments(),
        people=_people(cells),
        boundary_source=source,
    )


DEMO_KEY_PREFIX = "DEMO-FAKE-KEY-"  # no WeCom robot key looks like this: it can reach nobody real


def demo_groups(cells: tuple[Cell, ...]) -> tuple[tuple[str, str], ...]:
    """``(grid code, webhook key)``: a WeCom group robot per street and per community, so task cards in the
    sandbox reach a (recorded) group instead of stopping. Obviously fake keys, loaded in sandbox mode only."""
    wanted = (Level.STREET, Level.COMMUNITY)
    return tuple((c.code, f"{DEMO_KEY_PREFIX}{c.code}") for c in cells if c.level in wanted)


def _cells(boundary: BaseGeometry) -> tuple[Cell, ...]:
    out = [Cell(places.DISTRICT_CODE, places.DISTRICT_NAME, Level.DISTRICT, None, boundary)]
    lattice = Lattice.around(boundary)
    for spec, street_geom in zip(places.STREETS, split_streets(boundary), strict=True):
        out.append(Cell(spec.code, spec.name, Level.STREET, places.DISTRICT_CODE, street_geom))
        parts = equal_area_parts(street_geom, len(spec.communities))
        for i, (name, geom) in enumerate(zip(spec.communities, parts, strict=True), start=1):
            out.append(Cell(f"{spec.code}{i:03d}", name, Level.COMMUNITY, spec.code, geom))
            out.extend(_grids(f"{spec.code}{i:03d}", name, unit_grids(geom, lattice)))
    return tuple(out)


def _grids(community: str, name: str, units: list[BaseGeometry]) -> list[Cell]:
    out = []
    for j, unit in enumerate(units, start=1):
        code = f"{community}{j:03d}"
        out.append(Cell(code, f"{name}{j:03d}单元网格", Level.UNIT, community, unit))
        for k, part in enumerate(quarters(unit), start=1):
            sub = Cell(f"{code}{k:02d}", f"{name}{j:03d}-{k:02d}责任网格", Level.RESPONSIBILITY, code, part)
            out.append(sub)
    return out


def _gazetteer(cells: tuple[Cell, ...]) -> tuple[GazetteerEntry, ...]:
    entries = [GazetteerEntry(s.name, "street", s.code, (s.former_name,)) for s in places.STREETS]
    entries += [GazetteerEntry(c.name, "community", c.code) for c in cells if c.level is Level.COMMUNITY]
    units = [c for c in cells if c.level is Level.UNIT]
    geoms = np.array([u.geometry for u in units], dtype=object)
    for p in places.PLACES:
        hits = [u for u, hit in zip(units, shapely.intersects_xy(geoms, p.lng, p.lat), strict=True) if hit]
        if not hits or not hits[0].code.startswith(p.street):
            raise AssertionError(f"demo place {p.name} is not inside street {p.street}")
        entries.append(GazetteerEntry(p.name, p.kind, hits[0].code, p.aliases))
    return tuple(entries)


def _departments() -> tuple[DemoDepartment, ...]:
    """A department for every line the taxonomy names (district lines at the district, street lines in
    each street), plus the street teams the demo has always had."""
    district, named = places.DISTRICT_CODE, dict(places.DISTRICT_DEPARTMENTS)
    lines = Catalog.load().departments.values()
    out = [
        DemoDepartment(f"{district}-{d.code}", d.code, named.get(d.code, places.DISTRICT_NAME + d.name_zh), district,
                       f"{_slug(d.code)}@{places.EMAIL_DOMAIN}")
        for d in lines if d.level != "street"
    ]
    street_lines = [(d.code, d.name_zh.removeprefix("街道")) for d in lines if d.level == "street"]
    for s in places.STREETS:
        for line, suffix in (*places.STREET_DEPARTMENTS, *street_lines):
            email = f"{s.pinyin}-{_slug(line)}@{places.EMAIL_DOMAIN}"
            out.append(DemoDepartment(f"{s.code}-{line}", line, s.name + suffix, s.code, email))
    return tuple(out)


def _slug(line: str) -> str:
    return line.replace("_", "-")


def _people(cells: tuple[Cell, ...]) -> tuple[DemoPerson, ...]:
    """Two workers per community splitting its responsibility grids; a dispatcher per street; an admin."""
    leaves: dict[str, list[str]] = {}
    for c in cells:
        if c.level is Level.RESPONSIBILITY:
            leaves.setdefault(c.code[:12], []).append(c.code)
    people: list[DemoPerson] = []
    for codes in leaves.values():
        half = (len(codes) + 1) // 2
        for share in (codes[:half], codes[half:]):
            i = len(people)
            people.append(DemoPerson(places.person_name(i), "worker", tuple(share), places.phone_number(i)))
    for s in places.STREETS:
        i = len(people)
        people.append(DemoPerson(places.person_name(i), "dispatcher", (s.code,), places.phone_number(i)))
    i = len(people)
    people.append(DemoPerson(places.person_name(i), "admin", (places.DISTRICT_CODE,), places.phone_number(i)))
    return tuple(people)
