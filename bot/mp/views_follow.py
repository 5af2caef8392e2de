"""Acting on a report: second (附议) someone's, withdraw (撤件) or rate one's own (the satisfaction survey)."""

from __future__ import annotations

from aiohttp import web

from bot.mp import present
from bot.mp.errors import http_error
from bot.mp.replies import RatingReply
from bot.mp.schemas import RatingBody, WithdrawBody
from bot.mp.services import caller, cases
from bot.mp.session import CHANNEL, Resident
from bot.mp.views_reports import as_json, count_report, detail, visible
from bot.schemas import json_object
from intake.cases.model import ActionRequest, Actor
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role, Status
from intake.cases.workflow import act
from intake.errors import IllegalTransition, NotFound
from intake.store.models import Case, CoReporter
from intake.store.models_surveys import Survey
from intake.surveys.answers import AlreadyAnswered, answer

routes = web.RouteTableDef()


def _resident(who: Resident) -> Actor:
    return Actor(ref=who.ref, name=who.openid, role=Role.RESIDENT)


@routes.post("/reports/{case_no}/second")
async def second(request: web.Request) -> web.Response:
    who = await caller(request)
    case_no = parse_case_no(request.match_info["case_no"])
    case = await Case.get_or_none(case_no=case_no) if case_no else None
    if case is None:
        raise NotFound("no such report")
    if present.is_own(case, who):
        raise http_error(409, "own_report", "this is your own report")
    if not await CoReporter.exists(case_no=case.case_no, channel=CHANNEL, reporter=who.openid):
        await count_report(request, who)  # a second is a report too, and case numbers can be guessed
        req = ActionRequest("second", params={"channel": CHANNEL, "reporter": who.openid})
        case = await act(cases(request), case.case_no, _resident(who), req)
    return await detail(request, who, case, False)


@routes.post("/reports/{case_no}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    who = await caller(request)
    body = WithdrawBody.model_validate(await json_object(request) if request.can_read_body else {})
    case, own = await visible(request, who)
    if not own:
        raise NotFound("no such report")
    case = await act(cases(request), case.case_no, _resident(who), ActionRequest("withdraw", body.note))
    return await detail(request, who, case, True)


@routes.post("/reports/{case_no}/rating")
async def rate(request: web.Request) -> web.Response:
    """The answer to the case's satisfaction survey, as in chat: 不满意 reopens once, then escalates."""
    who = await caller(request)
    body = RatingBody.model_validate(await json_object(request))
    case, own = await visible(request, who)
    if not own and not await Survey.exists(case_no=case.case_no, round=case.reopen_count, channel=CHANNEL,
                                           reporter=who.openid):
        raise NotFound("no such report")  # a co-reporter answers only the survey they were sent
    if case.status != Status.CLOSED:
        raise http_error(409, "not_closed", "only a closed report can be rated", {"status": case.status})
    try:
        done = await answer(cases(request), case.case_no, CHANNEL, who.openid, body.score, body.comment, via=CHANNEL)
    except AlreadyAnswered:
        raise http_error(409, "already_rated", "this report was already rated") from None
    except IllegalTransition:  # reopened between our read and the answer
        raise http_error(409, "not_closed", "only a closed report can be rated") from None
    return as_json(RatingReply(case_no=case.case_no, score=body.score, round=done.round, effects=done.effect), 201)
