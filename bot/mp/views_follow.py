"""Acting on a report: second (附议) someone's, withdraw (撤件) or rate one's own (the satisfaction survey)."""

from __future__ import annotations

from aiohttp import web

from bot.mp.errors import http_error
from bot.mp.replies import RatingReply
from bot.mp.schemas import RatingBody, WithdrawBody
from bot.mp.services import caller, cases
from bot.mp.session import CHANNEL
from bot.mp.views_reports import as_json, count_report, detail, visible
from bot.schemas import json_object
from intake.cases import visibility
from intake.cases.model import ActionRequest, Actor
from intake.cases.numbers import parse_case_no
from intake.cases.states import Status
from intake.cases.workflow import act
from intake.errors import IllegalTransition, NotFound
from intake.surveys.answers import AlreadyAnswered, answer

routes = web.RouteTableDef()


@routes.post("/reports/{case_no}/second")
async def second(request: web.Request) -> web.Response:
    who = await caller(request)
    case, related = await visibility.to_second(parse_case_no(request.match_info["case_no"]), CHANNEL, who.openid)
    if related is visibility.Relation.OWN:
        raise http_error(409, "own_report", "this is your own report")
    if related is None:
        await count_report(request, who)  # a second is a report too, and case numbers can be guessed
        req = ActionRequest("second", params={"channel": CHANNEL, "reporter": who.openid})
        case = await act(cases(request), case.case_no, Actor.resident(CHANNEL, who.openid), req)
    return await detail(request, who, case, visibility.Relation.SECONDED)


@routes.post("/reports/{case_no}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    who = await caller(request)
    body = WithdrawBody.model_validate(await json_object(request) if request.can_read_body else {})
    case, related = await visible(request, who)
    if related is not visibility.Relation.OWN:
        raise NotFound("no such report")
    case = await act(cases(request), case.case_no, Actor.resident(CHANNEL, who.openid),
                     ActionRequest("withdraw", body.note))
    return await detail(request, who, case, related)


@routes.post("/reports/{case_no}/rating")
async def rate(request: web.Request) -> web.Response:
    """The answer to the case's satisfaction survey, as in chat: 不满意 reopens once, then escalates."""
    who = await caller(request)
    body = RatingBody.model_validate(await json_object(request))
    case, related = await visible(request, who)
    if not await visibility.may_rate(case, CHANNEL, who.openid, related):
        raise NotFound("no such report")
    if case.status != Status.CLOSED:
        raise http_error(409, "not_closed", "only a closed report can be rated", {"status": case.status})
    try:
        done = await answer(cases(request), case.case_no, CHANNEL, who.openid, body.score, body.comment, via=CHANNEL)
    except AlreadyAnswered:
        raise http_error(409, "already_rated", "this report was already rated") from None
    except IllegalTransition:  # reopened between our read and the answer
        raise http_error(409, "not_closed", "only a closed report can be rated") from None
    return as_json(RatingReply(case_no=case.case_no, score=body.score, round=done.round, effects=done.effect), 201)
