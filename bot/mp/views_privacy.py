"""A resident's own data (PIPL): take it away as one document, or have it deleted.

Thin: what is exported and what deletion does is :mod:`intake.privacy.resident`; this checks the session,
counts the calls (both are heavier than a page of reports) and insists on an explicit confirmation.
"""

from __future__ import annotations

from aiohttp import web

from bot.jsonout import json_response
from bot.mp.ratelimit import HOUR
from bot.mp.replies import ErasureReply, MyData
from bot.mp.schemas import ErasureBody
from bot.mp.services import caller, cases, mp, now
from bot.mp.session import CHANNEL
from bot.schemas import json_object
from intake.privacy import resident

routes = web.RouteTableDef()
EXPORTS_PER_HOUR = 10
ERASURES_PER_HOUR = 3


@routes.get("/me/data")
async def my_data(request: web.Request) -> web.Response:
    who = await caller(request)
    await mp(request).limiter.hit("export", {"rid": (who.openid, EXPORTS_PER_HOUR)}, HOUR, now(request))
    document = MyData.model_validate(await resident.export(CHANNEL, who.openid))
    response = json_response(document.model_dump(mode="json"))
    response.headers["Content-Disposition"] = 'attachment; filename="gridline-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.post("/me/erase")
async def erase(request: web.Request) -> web.Response:
    who = await caller(request)
    ErasureBody.model_validate(await json_object(request))  # {"confirm": true}, or 400
    await mp(request).limiter.hit("erase", {"rid": (who.openid, ERASURES_PER_HOUR)}, HOUR, now(request))
    done = await resident.request_erasure(cases(request), CHANNEL, who.openid, mp(request).config.media_dir)
    return json_response(ErasureReply(erased=done.erased, pending=done.pending).model_dump(mode="json"))
