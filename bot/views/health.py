"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.jsonout import json_response
from bot.keys import DEFAULT_BUILD, KV, METRICS, SERVING, SETTINGS
from bot.metrics import CONTENT_TYPE
from bot.welcome import classifier
from intake.store import db

routes = web.RouteTableDef()


REDIS_PROBE_S = 1.0  # an unreachable Redis must not stall the probe (its socket timeout is 5 s)


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 ``ok``; 200 ``degraded`` while Redis is unreachable (callbacks fall back, nothing to restart);
    503 ``down`` without the database."""
    db_ok = await db.ping()
    redis = "absent"
    if request.app[SETTINGS].redis_url:
        try:
            redis = "ok" if await asyncio.wait_for(request.app[KV].ping(), REDIS_PROBE_S) else "down"
        except TimeoutError:
            redis = "down"
    status = "down" if not db_ok else "degraded" if redis == "down" else "ok"
    body = {"status": status, "db": "ok" if db_ok else "down", "redis": redis,
            **classifier(request.app.get(SERVING), request.app.get(DEFAULT_BUILD))}
    return json_response(body, status=503 if status == "down" else 200)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
