"""``/sandbox``: the simulator page and the JSON it reads (registered in sandbox mode only).

The page talks to ``/wechat`` itself, signed like WeChat's server; these views only tell it
the token and the places, draw nothing, and read back what the notify port recorded.
"""

from __future__ import annotations

from aiohttp import web

from bot import sandbox
from bot.jsonout import json_response
from bot.keys import CASES, RECORDER, SETTINGS, WECHAT
from bot.sandbox import labels
from intake.errors import Forbidden, Invalid
from outbox.deliveries import deliveries

routes = web.RouteTableDef()
MAX_OPENID = 64


@routes.get("/sandbox")
async def page(request: web.Request) -> web.FileResponse:
    # Always re-validate: the page is tiny and a stale copy after an upgrade would confuse.
    return web.FileResponse(sandbox.STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@routes.get("/sandbox/api/config")
async def config(request: web.Request) -> web.Response:
    # The token leaves the server here, which only sandbox mode allows (see bot.sandbox), and
    # only the throwaway one: GRIDLINE_MODE=sandbox with a configured token keeps that secret.
    if request.app[SETTINGS].wechat.token is not None:
        raise Forbidden("the simulator never hands out a configured GRIDLINE_WECHAT_TOKEN; unset it to use it")
    grid = request.app[CASES].grid
    return json_response({"token": request.app[WECHAT].token, "to_user": sandbox.TO_USER,
                              "places": sandbox.places(grid)})


@routes.get("/sandbox/api/map")
async def grid_map(request: web.Request) -> web.Response:
    return json_response(sandbox.map_geojson(request.app[CASES].grid.index))


@routes.get("/sandbox/api/pushes")
async def pushes(request: web.Request) -> web.Response:
    openid = request.query.get("openid", "")
    if not openid or len(openid) > MAX_OPENID:
        raise Invalid(f"openid is required (at most {MAX_OPENID} characters)")
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        raise Invalid("since must be an integer") from None
    after = request.query.get("after") or None
    sent, ctx = request.app[RECORDER].sent, request.app[CASES]
    body = sandbox.pushes(sent, openid, since, after, ctx)
    # Not when it was created but what became of it: the outbox row's state, asked again at every poll.
    found = await deliveries(sandbox.shown_keys(sent, openid), ctx.clock())
    body["states"] = {key: labels.describe(found.get(key)) for key in sandbox.shown_keys(sent, openid)}
    return json_response(body)
