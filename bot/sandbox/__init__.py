"""The chat simulator at ``GET /sandbox``: try the 公众号 dialogue without WeChat.

The page (``static/``) plays WeChat's server: it builds real callback XML, signs it with
the account token and POSTs it to ``/wechat``, so everything it shows went through the
same checks as a real message. This module computes what the page needs besides that
(named places, a map, the recorded pushes); :mod:`bot.sandbox.views` serves it.

Security: ``/sandbox/api/config`` hands the WeChat token to any browser that asks. That
is acceptable only because the routes exist in sandbox mode alone, where the token is a
throwaway made per process (``WeChatConfig.of``) and no real 公众号 points at us;
``bot.app`` does not register any ``/sandbox`` route in production mode (they answer 404).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from bot.sandbox import labels
from intake.cases.context import CaseContext
from intake.grid import demo_places
from intake.grid.geodesy import wgs84_to_gcj02
from intake.grid.index import GridIndex
from intake.grid.model import Cell, Level
from intake.grid.store import GridService
from notify.types import Notification
from outbox import render
from outbox.texts import Words

STATIC_DIR = Path(__file__).resolve().parent / "static"
TO_USER = "gh_sandbox"  # our account's original ID as the simulated WeChat client addresses it
SIMPLIFY_DEG = 0.00015  # ~15 m: invisible at the page's scale, keeps the map JSON small
DECIMALS = 5  # ~1 m


def to_gcj02(geometry: BaseGeometry) -> BaseGeometry:
    """WeChat clients speak GCJ-02, so the map the page clicks on is drawn in it too."""
    def convert(coords: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([wgs84_to_gcj02(float(x), float(y)) for x, y in coords], dtype=np.float64).reshape(-1, 2)

    result: BaseGeometry = shapely.transform(geometry, convert)
    return result


def regions(index: GridIndex) -> list[Cell]:
    """Streets and communities, walked down from the top-most cells (the index has no flat listing)."""
    tops = {top.code: top for top in (index.chain(leaf.code)[0] for leaf in index.leaves)}
    streets = [s for top in tops.values() for s in index.children(top.code) if s.level is Level.STREET]
    return streets + [c for s in streets for c in index.children(s.code) if c.level is Level.COMMUNITY]


def map_geojson(index: GridIndex) -> dict[str, Any]:
    """A FeatureCollection of streets and communities in GCJ-02, simplified, with its ``bbox``."""
    features, bounds = [], []
    for cell in regions(index):
        # Simplify before converting: the datum shift is a Python call per vertex.
        geom = shapely.set_precision(to_gcj02(cell.geometry.simplify(SIMPLIFY_DEG)), 10**-DECIMALS)
        bounds.append(geom.bounds)
        features.append({"type": "Feature", "geometry": mapping(geom),
                         "properties": {"code": cell.code, "name": cell.name, "level": str(cell.level),
                                        "label": _label_point(geom)}})
    box = np.array(bounds) if bounds else np.zeros((1, 4))
    bbox = [float(box[:, 0].min()), float(box[:, 1].min()), float(box[:, 2].max()), float(box[:, 3].max())]
    return {"type": "FeatureCollection", "bbox": bbox, "features": features}


def _label_point(geom: BaseGeometry) -> list[float]:
    # A bbox centre can fall outside a crescent-shaped street; this point never does.
    point = geom.representative_point()
    return [round(point.x, DECIMALS), round(point.y, DECIMALS)]


def places(grid: GridService) -> list[dict[str, Any]]:
    """Landmarks and roads the gazetteer knows (at their demo points), then each community's inner point.

    The gazetteer stores only the cell a name points at; the demo's own points are more
    telling, so they are used when the loaded city is the demo one (the name is known and
    the point lies in the grid), and a community is shown at a point surely inside it.
    """
    known = set(grid.gazetteer.names())
    out = [_place(p.name, p.kind, p.lng, p.lat) for p in demo_places.PLACES
           if p.name in known and grid.index.locate(p.lng, p.lat) is not None]
    for cell in regions(grid.index):
        if cell.level is Level.COMMUNITY:
            point = cell.geometry.representative_point()
            out.append(_place(cell.name, "community", point.x, point.y))
    return out


def _place(name: str, kind: str, lng: float, lat: float) -> dict[str, Any]:
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    return {"name": name, "kind": kind, "lat": round(g_lat, 6), "lng": round(g_lng, 6)}


def pushes(sent: Sequence[Notification], openid: str, since: int, after: str | None,
           ctx: CaseContext) -> dict[str, Any]:
    """What was pushed to ``openid``, and the grid groups' task cards for that resident's cases.

    The page polls with ``since`` (``next`` of the last answer: a position in the recorder's
    list) and ``after`` (its ``last_key``). The recorder keeps its last 10 000 items, so once
    full the positions slide; the key finds the place again. ``reset`` says the page's place
    is gone (a restart): the answer starts over and the page should clear what it shows.
    """
    start, reset = _resume(sent, since, after)
    theirs = {n.case_no for n in sent if _to_resident(n, openid) and n.case_no}
    items = [_item(i, n, ctx) for i, n in enumerate(sent) if i >= start
             and (_to_resident(n, openid) or (n.recipient.kind == "grid_group" and n.case_no in theirs))]
    return {"next": len(sent), "last_key": sent[-1].key if sent else None, "reset": reset, "items": items}


def shown_keys(sent: Sequence[Notification], openid: str, limit: int = 300) -> list[str]:
    """Keys of what the page shows for ``openid`` (its latest ``limit``): their states change after they
    are first listed (queued → delivered), so every poll answers them all again."""
    theirs = {n.case_no for n in sent if _to_resident(n, openid) and n.case_no}
    keys = [n.key for n in sent
            if _to_resident(n, openid) or (n.recipient.kind == "grid_group" and n.case_no in theirs)]
    return keys[-limit:]


def _resume(sent: Sequence[Notification], since: int, after: str | None) -> tuple[int, bool]:
    if after is None:
        return (since, False) if 0 <= since <= len(sent) else (0, True)
    if 0 < since <= len(sent) and sent[since - 1].key == after:
        return since, False
    found = next((j for j in range(len(sent) - 1, -1, -1) if sent[j].key == after), None)
    return (0, True) if found is None else (found + 1, False)


def _to_resident(n: Notification, openid: str) -> bool:
    return n.recipient.kind == "resident" and n.recipient.ref == openid


def _item(i: int, n: Notification, ctx: CaseContext) -> dict[str, Any]:
    payload = dict(n.payload)
    # Codes mean little to someone trying the service: name the category and the grid.
    if isinstance(code := payload.get("category"), str) and (category := ctx.taxonomy.catalog.find(code)):
        payload["category_name"] = category.name("zh_CN")
    if isinstance(code := payload.get("grid"), str) and (cell := ctx.grid.index.find(code)):
        payload["grid_name"] = cell.name
    r = n.recipient
    if r.kind == "resident":  # the words the resident reads (the outbox renders the same when it routes)
        text = render.resident_text(n.kind, payload, render.Facts(case_no=n.case_no), Words())
        payload["resident_text"] = text if text != n.kind else labels.kind_label(n.kind)
    return {"index": i, "key": n.key, "kind": n.kind, "label": labels.kind_label(n.kind), "case_no": n.case_no,
            "payload": payload,
            "recipient": {"kind": r.kind, "ref": r.ref, "channel": r.channel},
            "created_at": n.created_at.isoformat() if n.created_at else None}
