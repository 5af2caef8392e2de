from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon, shape

from intake.grid.geodesy import (
    LocalProjection,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    to_wgs84,
    wgs84_to_gcj02,
)
from intake.grid.model import Datum
from tests.conftest import shared_data

SHENZHEN = (114.05, 22.55)


def test_round_trip_across_china_is_under_half_a_metre() -> None:
    rng = np.random.default_rng(1)
    for lng, lat in zip(rng.uniform(75, 135, 300), rng.uniform(18, 53, 300), strict=True):
        back = gcj02_to_wgs84(*wgs84_to_gcj02(float(lng), float(lat)))
        assert haversine_m(lng, lat, *back) < 0.5


def test_inverse_reaches_its_tolerance() -> None:
    gcj = (114.5, 22.57)
    again = wgs84_to_gcj02(*gcj02_to_wgs84(*gcj))
    assert abs(again[0] - gcj[0]) < 1e-7
    assert abs(again[1] - gcj[1]) < 1e-7


def test_known_shenzhen_offset() -> None:
    # shared/data/SOURCES.md: the WGS-84 file sits about -0.0050° lon / +0.0027° lat
    # from the GCJ-02 one, i.e. GCJ-02 = WGS-84 + (+0.0050, -0.0027) at Shenzhen.
    gcj = wgs84_to_gcj02(*SHENZHEN)
    assert gcj[0] - SHENZHEN[0] == pytest.approx(0.0050, abs=0.0004)
    assert gcj[1] - SHENZHEN[1] == pytest.approx(-0.0027, abs=0.0003)
    assert 500 < haversine_m(*SHENZHEN, *gcj) < 650


OUTSIDE = [(-0.1276, 51.5072), (139.6917, 35.6895), (151.2093, -33.8688), (-74.0, 40.7)]  # London … New York


@pytest.mark.parametrize("point", OUTSIDE)
def test_no_offset_outside_china(point: tuple[float, float]) -> None:
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    assert to_wgs84(*point, Datum.GCJ02) == point


def test_to_wgs84_dispatches_on_datum() -> None:
    assert to_wgs84(*SHENZHEN, Datum.WGS84) == SHENZHEN
    wgs = to_wgs84(*wgs84_to_gcj02(*SHENZHEN), Datum.GCJ02)
    assert haversine_m(*SHENZHEN, *wgs) < 0.5


def test_matches_the_two_public_shenzhen_files() -> None:
    wgs = _centroid(shared_data("geo/shenzhen_districts_wgs84.json"), "qh", "福田")
    gcj = _centroid(shared_data("geo/shenzhen_districts_datav_gcj02.json"), "name", "福田区")
    assert haversine_m(*wgs, *gcj) > 500  # the raw files disagree by the GCJ offset …
    assert haversine_m(*wgs, *to_wgs84(*gcj, Datum.GCJ02)) < 10  # … which our inverse removes


def _centroid(path: Path, key: str, value: str) -> tuple[float, float]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    geom = next(shape(f["geometry"]) for f in features if f["properties"][key] == value)
    return geom.centroid.x, geom.centroid.y


def test_haversine() -> None:
    assert haversine_m(114.0, 22.0, 114.0, 22.0) == 0.0
    assert haversine_m(114.0, 22.0, 114.0, 23.0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * 6_371_008.8, rel=1e-9)


def test_local_projection_is_metric_near_its_origin() -> None:
    proj = LocalProjection(114.5, 22.55)
    assert proj.forward(114.5, 22.55) == (0.0, 0.0)
    for lng, lat in [(114.6, 22.55), (114.5, 22.65), (114.58, 22.48)]:
        x, y = proj.forward(lng, lat)
        assert math.hypot(x, y) == pytest.approx(haversine_m(114.5, 22.55, lng, lat), rel=2e-3)
        assert proj.inverse(x, y) == pytest.approx((lng, lat), abs=1e-12)


def test_local_projection_arrays_match_scalars() -> None:
    proj = LocalProjection(114.5, 22.55)
    lngs, lats = np.array([114.4, 114.5, 114.6]), np.array([22.5, 22.6, 22.7])
    xs, ys = proj.forward_arrays(lngs, lats)
    for i in range(3):
        assert (xs[i], ys[i]) == pytest.approx(proj.forward(lngs[i], lats[i]))
    back = proj.inverse_arrays(xs, ys)
    np.testing.assert_allclose(back[0], lngs)
    np.testing.assert_allclose(back[1], lats)


def test_local_projection_of_geometries() -> None:
    proj = LocalProjection(114.5, 22.55)
    square = Polygon([(114.5, 22.55), (114.51, 22.55), (114.51, 22.56), (114.5, 22.56)])
    metric = proj.project(square)
    assert metric.area == pytest.approx(1111.95**2 * math.cos(math.radians(22.55)), rel=1e-5)
    assert proj.unproject(metric).equals_exact(square, 1e-12)
    assert proj.project_many([square, square])[1].equals_exact(metric, 1e-9)
