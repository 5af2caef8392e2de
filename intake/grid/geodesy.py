"""Datum conversion (WGS-84 ⇄ GCJ-02) and a local metric projection.

WeChat reports locations in GCJ-02 ("Mars coordinates"), the obfuscated datum every
map published in mainland China must use; our grid geometries are WGS-84. GCJ-02 is
hand-written here because no small, well-kept library implements it (pyproj/PROJ
deliberately do not); the forward formula is the widely published one (Krasovsky
ellipsoid, a = 6378245.0, e² = 0.00669342162296594323). The inverse has no closed
form, so it is solved by fixed-point iteration to < 1e-7° (about 1 cm).

"Inside China" is the customary rough rectangle used by every public implementation,
so results agree with other software near borders rather than with a true outline.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from intake.grid.model import Datum

FloatArray = npt.NDArray[np.float64]

_A = 6378245.0
_EE = 0.00669342162296594323
EARTH_RADIUS_M = 6371008.8  # IUGG mean radius
_INVERSE_TOLERANCE_DEG = 1e-7
_INVERSE_MAX_STEPS = 30


def out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _offset_lng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _offset_lat(lng - 105.0, lat - 35.0)
    dlng = _offset_lng(lng - 105.0, lat - 35.0)
    rad = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Invert :func:`wgs84_to_gcj02`; the offset field is smooth, so each step shrinks the error ~100×."""
    if out_of_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _ in range(_INVERSE_MAX_STEPS):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        if abs(d_lng) < _INVERSE_TOLERANCE_DEG and abs(d_lat) < _INVERSE_TOLERANCE_DEG:
            break
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
    return w_lng, w_lat


def to_wgs84(lng: float, lat: float, datum: Datum | str) -> tuple[float, float]:
    """WGS-84 coordinates of a point given in ``datum``; an unknown datum raises ``ValueError``."""
    # Datum(...) also accepts the plain string, so "gcj02" can never silently pass as WGS-84.
    return gcj02_to_wgs84(lng, lat) if Datum(datum) is Datum.GCJ02 else (lng, lat)


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class LocalProjection:
    """Equirectangular metres around a reference point.

    Good to ~0.1 % across a city (tens of km), which is all grid placement needs, and
    a plain affine map, so whole coordinate arrays project with two multiplications.
    """

    __slots__ = ("_kx", "_ky", "lat0", "lng0")

    def __init__(self, lng0: float, lat0: float) -> None:
        self.lng0 = lng0
        self.lat0 = lat0
        self._ky = math.radians(1.0) * EARTH_RADIUS_M
        self._kx = self._ky * math.cos(math.radians(lat0))

    def forward(self, lng: float, lat: float) -> tuple[float, float]:
        return (lng - self.lng0) * self._kx, (lat - self.lat0) * self._ky

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        return x / self._kx + self.lng0, y / self._ky + self.lat0

    def forward_arrays(self, lngs: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        xs = (np.asarray(lngs, dtype=np.float64) - self.lng0) * self._kx
        ys = (np.asarray(lats, dtype=np.float64) - self.lat0) * self._ky
        return xs, ys

    def inverse_arrays(self, xs: npt.ArrayLike, ys: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        lngs = np.asarray(xs, dtype=np.float64) / self._kx + self.lng0
        lats = np.asarray(ys, dtype=np.float64) / self._ky + self.lat0
        return lngs, lats

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        """A lon/lat geometry in local metres."""
        result: BaseGeometry = shapely.transform(geometry, self._forward_coords)
        return result

    def project_many(self, geometries: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """Vectorised :meth:`project` over an array of geometries (one GEOS pass, no Python loop)."""
        array = np.asarray(geometries, dtype=object)
        result: npt.NDArray[np.object_] = shapely.transform(array, self._forward_coords)
        return result

    def unproject(self, geometry: BaseGeometry) -> BaseGeometry:
        result: BaseGeometry = shapely.transform(geometry, self._inverse_coords)
        return result

    def _forward_coords(self, coords: FloatArray) -> FloatArray:
        xs, ys = self.forward_arrays(coords[:, 0], coords[:, 1])
        return np.column_stack((xs, ys))

    def _inverse_coords(self, coords: FloatArray) -> FloatArray:
        lngs, lats = self.inverse_arrays(coords[:, 0], coords[:, 1])
        return np.column_stack((lngs, lats))
