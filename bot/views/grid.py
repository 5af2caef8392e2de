"""``GET /admin/v1/grid/locate``: which cell a point falls in, with its chain of regions."""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES
from intake.errors import Invalid, NotFound
from intake.grid.model import Datum

routes = web.RouteTableDef()


@routes.get("/grid/locate")
async def locate(request: web.Request) -> web.Response:
    actor(request)
    lat, lng, datum = _point(request)
    grid = request.config_dict[CASES].grid
    placement = grid.locate(lng, lat, datum)
    if placement is None:
        raise NotFound("the point is outside every grid cell (and more than 200 m from the nearest)")
    chain = grid.index.chain(placement.code)
    worker = await grid.worker_for(placement.code)
    return json_response({
        "code": placement.code, "distance_m": round(placement.distance_m, 1), "inside": placement.inside,
        "chain": [{"code": c.code, "name": c.name, "level": str(c.level)} for c in chain],
        "worker": {"user_id": worker.id, "name": worker.name} if worker else None,
    })


def _point(request: web.Request) -> tuple[float, float, Datum]:
    try:
        lat, lng = float(request.query["lat"]), float(request.query["lng"])
        datum = Datum(request.query.get("datum", "wgs84"))
    except KeyError:
        raise Invalid("lat and lng are required") from None
    except ValueError:
        raise Invalid("lat and lng must be numbers and datum wgs84 or gcj02") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("lat/lng out of range")
    return lat, lng, datum
