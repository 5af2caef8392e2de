"""Small GeoJSON grids for the import tests: a square district 990101 split into two streets."""

from __future__ import annotations

import json
from typing import Any

DISTRICT = "990101"


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(code: str, level: str, geometry: dict[str, Any], name: str | None = None,
            parent: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"code": code, "name": name or f"区域{code}", "level": level}
    if parent is not None:
        props["parent"] = parent
    return {"type": "Feature", "properties": props, "geometry": geometry}


def district(prefix: str = DISTRICT) -> list[dict[str, Any]]:
    """A district and its two streets (west, east), exactly covering it."""
    return [feature(prefix, "district", box(113.0, 22.0, 113.02, 22.02), "测试区"),
            feature(prefix + "001", "street", box(113.0, 22.0, 113.01, 22.02), "西街道"),
            feature(prefix + "002", "street", box(113.01, 22.0, 113.02, 22.02), "东街道")]


def collection(features: list[dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
