"""The console's map: the page, and the JSON its script reads (cells per view, markers, heat, a cell's
summary, the cases inside a drawn polygon). Each answer is intake's query (:mod:`intake.map`), scoped to
the signed-in user; a bad parameter is a 400 with the reason, a cell outside the user's area a 404.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta

from aiohttp import web

from bot.console.auth import CONFIG, ME
from bot.jsonout import dumps, json_response, json_text
from bot.keys import CASES
from bot.web.render import language, page
from intake.errors import DomainError, Invalid, NotFound
from intake.grid.model import Datum
from intake.map.cells import Box, layers_for
from intake.map.heatcache import cached_heat_json
from intake.map.inside import cases_inside, cell_summary
from intake.map.points import HeatQuery, markers

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]
NO_STORE = {"Cache-Control": "no-store"}


def answers(handler: Handler) -> Handler:
    """A domain error as JSON: 400 with the reason for bad input, 404 for what the user may not see."""
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except NotFound as err:
            return json_response({"error": "not_found", "message": str(err)}, status=404, headers=NO_STORE)
        except DomainError as err:
            return json_response({"error": "invalid", "message": str(err)[:300]}, status=400, headers=NO_STORE)
    return wrapped


@routes.get("/map", name="map")
async def map_page(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    response = page("map.html", request, {"me": request[ME], "tile_url": config.tile_url,
                                          "tile_attribution": config.tile_attribution,
                                          "groups": _groups(request)})
    if config.tile_url:  # only the configured tile host may serve images, and only on this page
        csp = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = csp.replace(
            "img-src 'self' data:", f"img-src 'self' data: {tile_source(config.tile_url)}")
    return response


@routes.get("/map/cells.json", name="map_cells")
@answers
async def cells(request: web.Request) -> web.Response:
    zoom = _int(request, "zoom", 0, 22, 13)
    view = layers_for(request.config_dict[CASES].grid.index).view(request[ME].actor, _box(request), zoom,
                                                                  _datum(request))
    return json_response(view, headers={"Cache-Control": "private, max-age=300"})


@routes.get("/map/cases.json", name="map_cases")
@answers
async def cases(request: web.Request) -> web.Response:
    found = await markers(request.config_dict[CASES], request[ME].actor, _box(request), _datum(request))
    return json_response({"cases": found}, headers=NO_STORE)


@routes.get("/map/heat.json", name="map_heat")
@answers
async def heat_points(request: web.Request) -> web.Response:
    days, group = _int(request, "days", 1, 730, 30), request.query.get("group", "")
    if group and not (len(group) == 2 and group.isdigit()):
        raise Invalid("group must be a category group: two digits")
    # From the whole minute: every screen asking within the minute shares one kept answer (intake.map.heatcache).
    since = (request.config_dict[CASES].clock() - timedelta(days=days)).replace(second=0, microsecond=0)
    query = HeatQuery(since, group or None, _int(request, "precision", 2, 4, 3))
    points = await cached_heat_json(request[ME].actor, query, _datum(request))
    head = dumps({"days": days, "group": group or None})[:-1]
    response = json_text(f'{head}, "points": {points}}}', headers=NO_STORE)
    response.enable_compression()  # ~4× smaller on the wire: the heat map is the one big answer
    return response


@routes.get("/map/cells/{code}.json", name="map_cell")
@answers
async def cell(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if not (code.isdigit() and len(code) <= 20):
        raise NotFound("no such grid cell")
    ctx = request.config_dict[CASES]
    since = ctx.clock() - timedelta(days=_int(request, "days", 1, 730, 30))
    summary = await cell_summary(ctx, request[ME].actor, code, since)
    return json_response(asdict(summary), headers=NO_STORE)


@routes.post("/map/inside", name="map_inside")
@answers
async def inside(request: web.Request) -> web.Response:
    """``points``: ``lat,lng lat,lng …`` (as Leaflet reports them) in the map's datum."""
    raw = str((await request.post()).get("points", ""))
    if len(raw) > 200_000:
        raise Invalid("the polygon is too long")
    points = []
    for pair in raw.split():
        lat, sep, lng = pair.partition(",")
        try:
            points.append((float(lng), float(lat)))
        except ValueError:
            raise Invalid("points must be lat,lng pairs separated by spaces") from None
        if not sep:
            raise Invalid("points must be lat,lng pairs separated by spaces")
    count, found = await cases_inside(request.config_dict[CASES], request[ME].actor, points, _datum(request))
    return json_response({"count": count, "cases": found}, headers=NO_STORE)


def _datum(request: web.Request) -> Datum:
    return Datum(request.config_dict[CONFIG].tile_datum)


def _int(request: web.Request, name: str, low: int, high: int, default: int) -> int:
    raw = request.query.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw[:6]) <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _box(request: web.Request) -> Box:
    """``bbox=west,south,east,north`` in degrees (the view's corners); the world when absent."""
    raw = request.query.get("bbox", "-180,-90,180,90")
    try:
        w, s, e, n = (float(x) for x in raw.split(",", 4))
    except ValueError:
        raise Invalid("bbox must be west,south,east,north in degrees") from None
    if not all(math.isfinite(v) for v in (w, s, e, n)) or not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise Invalid("bbox must be west,south,east,north with west ≤ east and south ≤ north")
    return Box(w, s, e, n)


def tile_source(template: str) -> str:
    """The tile template's origin for the CSP; a ``{s}`` subdomain makes it a wildcard
    (``https://webrd0{s}.is.autonavi.com/…`` → ``https://*.is.autonavi.com``)."""
    scheme, _, rest = template.partition("://")
    host = rest.split("/", 1)[0]
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else host.replace("{s}", "")
    return f"{scheme}://{host}"


def _groups(request: web.Request) -> list[tuple[str, str]]:
    """The category groups (the two-digit major classes) the heat map can be narrowed to, with their names."""
    lang = language(request)
    return sorted((c.code, c.name(lang)) for c in request.config_dict[CASES].taxonomy.catalog.majors()
                  if len(c.code) == 2)
