"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from aiohttp import web

from bot.jsonout import json_response
from bot.keys import KV, METRICS, SERVING, SETTINGS
from bot.metrics import CONTENT_TYPE
from bot.welcome import classifier
from intake.store import db

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    db_ok = await db.ping()
    redis = "absent"
    if request.app[SETTINGS].redis_url:
        redis = "ok" if await request.app[KV].ping() else "down"
    healthy = db_ok and redis != "down"
    body = {"status": "ok" if healthy else "degraded", "db": "ok" if db_ok else "down", "redis": redis,
            **classifier(request.app.get(SERVING))}
    return json_response(body, status=200 if healthy else 503)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
