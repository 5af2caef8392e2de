"""A resident's reports: file one, list them, read one.

Cases are found by number, and a number that is neither the caller's own
report nor one they seconded is answered 404, exactly like a number that
does not exist.
"""

from __future__ import annotations

import secrets

from aiohttp import web
from pydantic import BaseModel

from bot.keys import METRICS
from bot.mp import present
from bot.mp.ratelimit import DAY
from bot.mp.replies import ReportPage, ReportReply
from bot.mp.schemas import ReportBody
from bot.mp.services import caller, cases, client_ip, mp, now
from bot.mp.session import CHANNEL, Resident
from bot.schemas import json_object
from bot.views.common import lang, page
from bot.views.serialize import category_ref, grid_ref
from intake.cases import repo
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.cases.numbers import parse_case_no
from intake.errors import Invalid, NotFound
from intake.grid.model import Datum
from intake.store.models import Case, CoReporter, Media, Rating

routes = web.RouteTableDef()


def as_json(model: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(model.model_dump(mode="json"), status=status)


async def count_report(request: web.Request, who: Resident) -> None:
    limits = mp(request).config.limits
    await mp(request).limiter.hit("reports", {"rid": (who.openid, limits.reports_per_day),
                                              "ip": (client_ip(request), limits.reports_per_day_ip)}, DAY, now(request))


@routes.post("/reports")
async def create(request: web.Request) -> web.Response:
    who = await caller(request)
    body = ReportBody.model_validate(await json_object(request))
    await count_report(request, who)
    ctx = cases(request)
    claim = await _claim_media(who, body.media)
    where = body.location
    report = NewReport(channel=CHANNEL, reporter=who.openid, description=body.description,
                       lat=where.lat if where else None, lng=where.lng if where else None,
                       datum=Datum(where.datum) if where else Datum.WGS84, address=body.address,
                       category=body.category, photos=tuple(present.MEDIA_PREFIX + m for m in body.media),
                       anonymous=body.anonymous)
    try:
        opened = await open_case(ctx, report)
    except BaseException:
        await Media.filter(case_no=claim).update(case_no=None)
        raise
    case = opened.case
    await Media.filter(case_no=claim).update(case_no=case.case_no)
    request.config_dict[METRICS].cases_opened.labels(CHANNEL, str(opened.assignee is not None)).inc()
    language = lang(request)
    reply = ReportReply(
        case_no=case.case_no, status=case.status, category=present.ref(category_ref(ctx, case.category_code, language)),
        grid=present.ref(grid_ref(ctx, case.grid_code)), deadline=present.stamp(case.deadline_at),
        anonymous=case.anonymous,
        duplicates=[present.duplicate(ctx, d, language, case.category_code) for d in opened.duplicates])
    return as_json(reply, 201)


async def _claim_media(who: Resident, ids: list[str]) -> str:
    """Mark the photos as taken by this report before it is opened, so two reports cannot share one."""
    claim = "claim:" + secrets.token_hex(8)
    if ids:
        taken = await Media.filter(media_id__in=ids, owner=who.openid, case_no=None).update(case_no=claim)
        if taken != len(ids):
            await Media.filter(case_no=claim).update(case_no=None)
            raise Invalid("unknown media ids, or media already used in a report", media=ids)
    return claim


@routes.get("/reports")
async def mine(request: web.Request) -> web.Response:
    who = await caller(request)
    number, size = page(request)
    relation = request.query.get("relation", "own")
    if relation == "own":
        query = Case.filter(channel=CHANNEL, reporter=who.openid)
    elif relation == "seconded":
        seconded = await CoReporter.filter(channel=CHANNEL, reporter=who.openid).values_list("case_no", flat=True)
        query = Case.filter(case_no__in=[str(c) for c in seconded])
    else:
        raise Invalid("relation must be own or seconded")
    total = await query.count()
    rows = await query.order_by("-opened_at", "-id").offset((number - 1) * size).limit(size)
    ctx, language = cases(request), lang(request)
    items = [present.view(ctx, c, who, language) for c in rows]
    return as_json(ReportPage(total=total, page=number, per_page=size, items=items))


async def visible(request: web.Request, who: Resident) -> tuple[Case, bool]:
    """The case and whether it is the caller's own; 404 unless own or seconded."""
    case_no = parse_case_no(request.match_info["case_no"])
    case = await Case.get_or_none(case_no=case_no) if case_no else None
    if case is None:
        raise NotFound("no such report")
    if present.is_own(case, who):
        return case, True
    if await CoReporter.exists(case_no=case.case_no, channel=CHANNEL, reporter=who.openid):
        return case, False
    raise NotFound("no such report")


async def detail(request: web.Request, who: Resident, case: Case, own: bool) -> web.Response:
    rated = await Rating.get_or_none(case_no=case.case_no, channel=CHANNEL, reporter=who.openid,
                                     round=case.reopen_count) if own else None
    view = present.view(cases(request), case, who, lang(request), await repo.events(case.case_no),
                        rated.score if rated else None)
    return as_json(view)


@routes.get("/reports/{case_no}")
async def one(request: web.Request) -> web.Response:
    who = await caller(request)
    case, own = await visible(request, who)
    return await detail(request, who, case, own)
