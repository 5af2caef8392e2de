"""The grid file check: every hostile or inconsistent file is refused by feature, before any geometry work."""

from __future__ import annotations

import json

import pytest

from intake.grid import import_check
from intake.grid.import_check import Known, check
from intake.grid.import_read import MAX_BYTES
from tests.intake.grid_files import DISTRICT, box, collection, district, feature


def errors(raw: bytes, known: dict[str, Known] | None = None) -> list[str]:
    report = check(raw, known or {})
    assert not report.regions or not report.errors
    return list(report.errors)


def test_a_consistent_district_passes_with_parents_derived_from_codes() -> None:
    report = check(collection(district()), {})
    assert report.ok and report.by_level == {"district": 1, "street": 2}
    assert {r.code: r.parent for r in report.regions} == {DISTRICT: None, f"{DISTRICT}001": DISTRICT,
                                                          f"{DISTRICT}002": DISTRICT}


def test_a_self_intersecting_polygon_is_named_by_feature() -> None:
    bow = {"type": "Polygon", "coordinates": [[[113.0, 22.0], [113.01, 22.02], [113.01, 22.0], [113.0, 22.02],
                                               [113.0, 22.0]]]}
    found = errors(collection([*district()[:2], feature(f"{DISTRICT}002", "street", bow)]))
    assert any(e.startswith(f"feature 3 ({DISTRICT}002): invalid polygon: Self-intersection") for e in found)


def test_overlaps_gaps_children_outside_and_duplicates() -> None:
    overlapping = [*district()[:2], feature(f"{DISTRICT}002", "street", box(113.005, 22.0, 113.02, 22.02))]
    assert any("overlaps 990101002" in e for e in errors(collection(overlapping)))
    gap = [*district()[:2], feature(f"{DISTRICT}002", "street", box(113.012, 22.0, 113.02, 22.02))]
    assert any(e.startswith(f"feature 1 ({DISTRICT}): its children leave a gap of") for e in errors(collection(gap)))
    outside = [*district()[:2], feature(f"{DISTRICT}002", "street", box(113.01, 22.0, 113.03, 22.02))]
    assert any("outside its parent 990101" in e for e in errors(collection(outside)))
    twice = [*district(), district()[1]]
    assert any("is also feature 2" in e for e in errors(collection(twice)))


def test_parents_levels_and_properties() -> None:
    orphan = [feature("990202001", "street", box(113.0, 22.0, 113.01, 22.01))]
    assert any("neither in the file nor stored" in e for e in errors(collection(orphan)))
    upside = [*district(), feature(f"{DISTRICT}001001", "district", box(113.0, 22.0, 113.001, 22.001))]
    assert any("a district has no parent" in e or "cannot lie" in e for e in errors(collection(upside)))
    wrong_prefix = [*district(), feature("990999001", "community", box(113.0, 22.0, 113.01, 22.02),
                                         parent=f"{DISTRICT}001")]
    assert any("must extend its parent's code" in e for e in errors(collection(wrong_prefix)))
    bad = [feature("12ab", "district", box(0, 0, 1, 1)), feature("990303", "planet", box(0, 0, 1, 1)),
           feature("990304", "district", box(0, 0, 1, 1), name="a\x07b")]
    found = errors(collection(bad))
    assert [e.split(":")[0] for e in found] == ["feature 1", "feature 2 (990303)", "feature 3 (990304)"]


def test_a_street_may_join_a_stored_district() -> None:
    known = {DISTRICT: Known("district", None, box(113.0, 22.0, 113.02, 22.02))}
    report = check(collection([feature(f"{DISTRICT}003", "street", box(113.0, 22.0, 113.005, 22.005))]), known)
    assert report.ok and report.regions[0].parent == DISTRICT


def test_hostile_files_are_refused_whole_before_any_geometry(monkeypatch: pytest.MonkeyPatch) -> None:
    assert errors(b"\xff\xfe not utf-8")[0].startswith("file: not UTF-8")
    assert errors(b"{\"type\": ")[0].startswith("file: not valid JSON")
    assert errors(b"[" * 100_000 + b"]" * 100_000)[0].startswith("file: not valid JSON")
    assert errors(json.dumps({"type": "Feature"}).encode()) == ["file: not a GeoJSON FeatureCollection"]
    assert errors(collection([])) == ["file: no features"]
    assert errors(b" " * (MAX_BYTES + 1))[0].startswith("file:")
    point = feature(DISTRICT, "district", {"type": "Point", "coordinates": [113, 22]})
    assert "must be a Polygon or MultiPolygon" in errors(collection([point]))[0]
    nan = feature(DISTRICT, "district", box(113.0, 22.0, 113.02, 22.02))
    nan["geometry"]["coordinates"][0][1] = ["113.02", 22.0]
    assert "not [longitude, latitude]" in errors(collection([nan]))[0]
    ring = [[113.0 + i * 1e-7, 22.0 + (i % 2) * 1e-7] for i in range(1_000_000)]
    huge = feature(DISTRICT, "district", {"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    monkeypatch.setattr(import_check, "shape", _no_geometry)  # counted and refused, never handed to GEOS
    assert "more than 50000 vertices" in errors(collection([huge]))[0]


def _no_geometry(_: object) -> None:
    raise AssertionError("geometry work on a refused file")


def test_a_new_street_may_not_overlap_a_stored_one() -> None:
    known = {DISTRICT: Known("district", None, box(113.0, 22.0, 113.02, 22.02)),
             f"{DISTRICT}001": Known("street", DISTRICT, box(113.0, 22.0, 113.01, 22.02))}
    found = errors(collection([feature(f"{DISTRICT}003", "street", box(113.005, 22.0, 113.015, 22.01))]), known)
    assert any("overlaps the stored 990101001" in e for e in found)
    replaced = check(collection([feature(f"{DISTRICT}001", "street", box(113.0, 22.0, 113.012, 22.02))]), known)
    assert replaced.ok  # the file changes that street itself: no overlap with its old shape
