"""Grid cells: the regions a case is placed in.

District → street → community → unit grid (万米单元网格) → responsibility grid (责任网格).
Codes are prefix-hierarchical, so "inside region X" is ``code.startswith(X.code)``:
district 6 digits (GB/T 2260), street 9 (+3, GB/T 10114), community 12 (+3),
unit grid 15 (+3 serial, GB/T 30428.3 practice), responsibility grid 17 (+2 serial,
a local extension in the spirit of CJ/T 349's 2-digit professional-grid serial).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shapely.geometry.base import BaseGeometry


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    UNIT = "unit"
    RESPONSIBILITY = "responsibility"

    @property
    def depth(self) -> int:
        return list(Level).index(self)

    @property
    def code_length(self) -> int:
        return CODE_LENGTHS[self]


CODE_LENGTHS = {
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.UNIT: 15,
    Level.RESPONSIBILITY: 17,
}


class Datum(StrEnum):
    """Coordinate datum. WeChat's ``wx.getLocation`` and 公众号 location messages are GCJ-02."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


@dataclass(frozen=True, slots=True)
class Cell:
    """One region; ``geometry`` is a (Multi)Polygon in WGS-84 lon/lat."""

    code: str
    name: str
    level: Level
    parent: str | None
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a point fell: the smallest cell, and how far outside it (0 when inside)."""

    code: str
    distance_m: float

    @property
    def inside(self) -> bool:
        return self.distance_m == 0.0
