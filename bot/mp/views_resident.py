"""A resident's own open report: 催办 (urge), 补充 (add text or a location), and 我的网格员 (the grid worker's
card). The steps are the domain's (intake.cases.resident_steps); 撤件 is views_follow's withdraw."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.mp.replies import WorkerCard
from bot.mp.schemas import SupplementBody
from bot.mp.services import caller, cases
from bot.mp.session import CHANNEL, Resident
from bot.mp.views_reports import as_json, detail, visible
from bot.schemas import json_object
from intake.cases import contact, visibility
from intake.cases.model import ActionRequest, Actor
from intake.cases.workflow import act
from intake.errors import NotFound
from intake.grid.geodesy import to_wgs84

routes = web.RouteTableDef()


async def _own_step(request: web.Request, who: Resident, action: str, params: dict[str, Any]) -> web.Response:
    case, related = await visible(request, who)
    if related is not visibility.Relation.OWN:
        raise NotFound("no such report")
    case = await act(cases(request), case.case_no, Actor.resident(CHANNEL, who.openid), ActionRequest(action,
                                                                                                       params=params))
    return await detail(request, who, case, related)


@routes.post("/reports/{case_no}/urge")
async def urge(request: web.Request) -> web.Response:
    return await _own_step(request, await caller(request), "resident_urge", {})


@routes.post("/reports/{case_no}/supplement")
async def supplement(request: web.Request) -> web.Response:
    who = await caller(request)  # the session first: a stranger learns nothing about the body
    body = SupplementBody.model_validate(await json_object(request))
    params: dict[str, Any] = {"text": body.text} if body.text else {}
    if body.location is not None:
        lng, lat = to_wgs84(body.location.lng, body.location.lat, body.location.datum)
        params.update(lat=lat, lng=lng)
    return await _own_step(request, who, "supplement", params)


@routes.get("/grid-worker")
async def grid_worker(request: web.Request) -> web.Response:
    who = await caller(request)
    card = await contact.card_for(cases(request), CHANNEL, who.openid)
    if card is None:
        raise NotFound("no grid worker known yet: file a report with its location first")
    return as_json(WorkerCard(name=card.name, wecom=card.wecom, mobile=card.mobile, office_hours=card.office_hours,
                              grid=card.grid, case_no=card.case_no))
