"""Reading a GeoJSON grid file into plain features, refusing hostile input before any geometry work.

Pure and picklable (it runs in the heavy-step worker, :mod:`intake.heavy`). The limits are counted on
the raw JSON — bytes, features, vertices per feature and in all — so a 1,000,000-vertex polygon is
refused by counting, never handed to GEOS. Each problem names its feature (number and code).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from intake.grid.model import Level

MAX_BYTES = 64 * 1024 * 1024
MAX_FEATURES = 50_000
MAX_VERTICES = 50_000  # per feature; a real district outline has a few thousand
MAX_TOTAL_VERTICES = 3_000_000
MAX_ERRORS = 200  # a report longer than this helps nobody: the first ones are shown
LEVEL_NAMES = {**{str(v): v for v in Level}, "区": Level.DISTRICT, "街道": Level.STREET, "镇": Level.STREET,
               "社区": Level.COMMUNITY, "村": Level.COMMUNITY, "单元网格": Level.UNIT, "责任网格": Level.RESPONSIBILITY}


@dataclass(frozen=True, slots=True)
class Feature:
    """One region as the file gives it; ``parent`` None means "derive it from the code"."""

    number: int  # 1-based position in the file, for the report
    code: str
    name: str
    level: Level
    parent: str | None
    geometry: dict[str, Any]  # GeoJSON (Multi)Polygon, coordinates as given
    vertices: int


class Problems(list[str]):
    def add(self, where: str, what: str) -> None:
        if len(self) < MAX_ERRORS:
            self.append(f"{where}: {what}")


def where(number: int, code: str | None = None) -> str:
    return f"feature {number}" + (f" ({code})" if code else "")


def read(raw: bytes, problems: Problems) -> list[Feature]:
    """The well-formed features of ``raw``; every malformed one is a problem (and left out)."""
    if len(raw) > MAX_BYTES:
        problems.add("file", f"{len(raw)} bytes is more than the {MAX_BYTES} allowed")
        return []
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        problems.add("file", f"not UTF-8 text (byte {exc.start})")
        return []
    except (ValueError, RecursionError) as exc:
        problems.add("file", f"not valid JSON ({str(exc)[:120]})")
        return []
    items = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else None
    if not isinstance(items, list):
        problems.add("file", "not a GeoJSON FeatureCollection")
        return []
    if len(items) > MAX_FEATURES:
        problems.add("file", f"{len(items)} features, more than the {MAX_FEATURES} allowed")
        return []
    out, total = [], 0
    for number, item in enumerate(items, start=1):
        feature = _feature(number, item, problems)
        if feature is not None:
            total += feature.vertices
            if total > MAX_TOTAL_VERTICES:
                problems.add("file", f"more than {MAX_TOTAL_VERTICES} vertices in all")
                return []
            out.append(feature)
    return out


def _feature(number: int, item: Any, problems: Problems) -> Feature | None:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        problems.add(where(number), "not a GeoJSON Feature")
        return None
    raw_props = item.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    code = str(props.get("code") or "").strip()
    if not (code.isascii() and code.isdigit() and 6 <= len(code) <= 20):
        problems.add(where(number), f"code {code[:30]!r} must be 6–20 digits")
        return None
    here = where(number, code)
    name = str(props.get("name") or "").strip()
    if not name or len(name) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        problems.add(here, "name must be 1–100 characters without control characters")
        return None
    level = LEVEL_NAMES.get(str(props.get("level") or "").strip())
    if level is None:
        problems.add(here, f"level must be one of {', '.join(str(v) for v in Level)}")
        return None
    parent = props.get("parent")
    parent = str(parent).strip() if parent not in (None, "") else None
    geometry = item.get("geometry")
    vertices = _vertices(geometry, here, problems)
    if vertices is None or not isinstance(geometry, dict):
        return None
    return Feature(number, code, name, level, parent, geometry, vertices)


def _vertices(geometry: Any, here: str, problems: Problems) -> int | None:
    """The vertex count of a (Multi)Polygon, checked as numbers in lon/lat range; None when it is not one."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        problems.add(here, f"geometry must be a Polygon or MultiPolygon, not {str(kind)[:20]}")
        return None
    polygons = [geometry.get("coordinates")] if kind == "Polygon" else geometry.get("coordinates")
    count = 0
    for polygon in polygons if isinstance(polygons, list) else [None]:
        for ring in polygon if isinstance(polygon, list) and polygon else [None]:
            if not isinstance(ring, list) or len(ring) < 4:
                problems.add(here, "every ring needs at least 4 positions")
                return None
            count += len(ring)
            if count > MAX_VERTICES:
                problems.add(here, f"more than {MAX_VERTICES} vertices; simplify the polygon")
                return None
            if not all(_position(p) for p in ring):
                problems.add(here, "a position is not [longitude, latitude] in range")
                return None
    return count


def _position(p: Any) -> bool:
    if not isinstance(p, list) or len(p) not in (2, 3):
        return False
    lng, lat = p[0], p[1]
    return (isinstance(lng, int | float) and isinstance(lat, int | float) and not isinstance(lng, bool)
            and math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90)
