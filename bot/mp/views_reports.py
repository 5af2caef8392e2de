"""A resident's reports: file one, list them, read one.

Cases are found by number, and a number that is neither the caller's own
report nor one they seconded is answered 404, exactly like a number that
does not exist.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from bot.jsonout import json_response
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
from intake.cases import repo, visibility
from intake.cases.media import open_with_media
from intake.cases.model import NewReport
from intake.cases.numbers import parse_case_no
from intake.cases.seal import short
from intake.grid.model import Datum
from intake.store.models import Case, Rating

routes = web.RouteTableDef()


def as_json(model: BaseModel, status: int = 200) -> web.Response:
    return json_response(model.model_dump(mode="json"), status=status)


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
    where = body.location
    report = NewReport(channel=CHANNEL, reporter=who.openid, description=body.description,
                       lat=where.lat if where else None, lng=where.lng if where else None,
                       datum=Datum(where.datum) if where else Datum.WGS84, address=body.address,
                       category=body.category, photos=tuple(present.MEDIA_PREFIX + m for m in body.media),
                       anonymous=body.anonymous)
    opened = await open_with_media(ctx, report, who.openid, body.media)
    case = opened.case
    request.config_dict[METRICS].cases_opened.labels(CHANNEL, str(opened.routed)).inc()
    language = lang(request)
    reply = ReportReply(
        case_no=case.case_no, status=case.status, category=present.ref(category_ref(ctx, case.category_code, language)),
        grid=present.ref(grid_ref(ctx, case.grid_code)), deadline=present.stamp(case.deadline_at),
        anonymous=case.anonymous, evidence=short(opened.opening_hash),
        duplicates=[present.duplicate(ctx, d, language, case.category_code) for d in opened.duplicates])
    return as_json(reply, 201)


@routes.get("/reports")
async def mine(request: web.Request) -> web.Response:
    who = await caller(request)
    number, size = page(request)
    related = request.query.get("relation", visibility.Relation.OWN)
    total, rows = await visibility.page(CHANNEL, who.openid, related, (number - 1) * size, size)
    ctx, language = cases(request), lang(request)
    items = [present.view(ctx, c, who, language) for c in rows]
    return as_json(ReportPage(total=total, page=number, per_page=size, items=items))


async def visible(request: web.Request, who: Resident) -> tuple[Case, visibility.Relation]:
    """The case and the caller's relation to it; 404 unless own or seconded."""
    return await visibility.visible(parse_case_no(request.match_info["case_no"]), CHANNEL, who.openid)


async def detail(request: web.Request, who: Resident, case: Case, related: visibility.Relation) -> web.Response:
    own = related is visibility.Relation.OWN
    rated = await Rating.get_or_none(case_no=case.case_no, channel=CHANNEL, reporter=who.openid,
                                     round=case.reopen_count) if own else None
    view = present.view(cases(request), case, who, lang(request), await repo.events(case.case_no),
                        rated.score if rated else None)
    return as_json(view)


@routes.get("/reports/{case_no}")
async def one(request: web.Request) -> web.Response:
    who = await caller(request)
    case, related = await visible(request, who)
    return await detail(request, who, case, related)
