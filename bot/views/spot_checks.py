"""``POST /admin/v1/spot-checks``: 抽查, a random sample of closed cases drawn for re-check (intake.cases.spot)."""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES
from bot.schemas import SpotCheckBody, json_object
from intake.cases.spot import Draw, draw_sample

routes = web.RouteTableDef()


@routes.post("/spot-checks")
async def spot_checks(request: web.Request) -> web.Response:
    who = actor(request)
    body = SpotCheckBody.model_validate(await json_object(request))
    draw = Draw(since=body.since, until=body.until, area=body.area, count=body.count, percent=body.percent,
                seed=body.seed)
    done = await draw_sample(request.config_dict[CASES], who, draw, body.note)
    return json_response({"pool": done.pool, "drawn": list(done.drawn), "skipped": list(done.skipped)}, status=201)
