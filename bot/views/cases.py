"""Admin API for cases: open (for channels and tests), list, read, act."""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES, METRICS
from bot.schemas import ActionBody, ReportBody, json_object
from bot.views import serialize
from bot.views.common import flag, lang, page
from intake.cases import repo, scope
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, NewReport
from intake.cases.numbers import parse_case_no
from intake.cases.repo import CaseFilter
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.errors import Invalid, NotFound
from intake.grid.model import Datum
from intake.privacy import reads

routes = web.RouteTableDef()
API_FIELDS = ("description", "address", "lat", "lng", "reporter", "photos")  # what the API shows of a resident


@routes.post("/reports")
async def create_report(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN, Role.DISPATCHER)
    body = ReportBody.model_validate(await json_object(request))
    ctx = request.config_dict[CASES]
    report = NewReport(channel=body.channel, reporter=body.reporter, description=body.description,
                       lng=body.lng, lat=body.lat, datum=Datum(body.datum), address=body.address,
                       category=body.category, photos=tuple(body.photos))
    opened = await open_case(ctx, report)
    request.config_dict[METRICS].cases_opened.labels(body.channel, str(opened.routed)).inc()
    language = lang(request)
    case = opened.case
    return json_response({
        "case_no": case.case_no, "status": case.status,
        "category": serialize.category_ref(ctx, case.category_code, language),
        "grid": serialize.grid_ref(ctx, case.grid_code), "severity": case.severity,
        "deadline": case.deadline_at.isoformat(), "confidence": case.confidence,
        "assignee": {"user_id": case.assignee_user_id},
        "duplicates": [serialize.duplicate(c) for c in opened.duplicates],
        "opening_hash": opened.opening_hash,
    }, status=201)


@routes.get("/cases")
async def list_cases(request: web.Request) -> web.Response:
    who = actor(request)
    number, size = page(request)
    flt = case_filter(request)
    ctx = request.config_dict[CASES]
    now = ctx.clock()
    total, rows = await repo.search(who, flt, now, (number - 1) * size, size)
    await reads.record_many(who, [c.case_no for c in rows], "admin API list", ("description", "address"), now)
    language = lang(request)
    return json_response({"total": total, "page": number, "per_page": size,
                              "items": [serialize.case_summary(ctx, c, who, language, now) for c in rows]})


@routes.get("/cases/{case_no}")
async def get_case(request: web.Request) -> web.Response:
    who = actor(request)
    case_no = _case_no(request)
    case = await repo.get(case_no)
    scope.check_read(who, case)
    ctx = request.config_dict[CASES]
    events, co = await repo.events(case_no), await repo.co_reporters(case_no)
    await reads.record(who, case_no, "admin API case", API_FIELDS, ctx.clock())  # PIPL: who read it, and where
    return json_response(serialize.case_detail(ctx, case, who, lang(request), ctx.clock(), events, co))


@routes.post("/cases/{case_no}/actions")
async def post_action(request: web.Request) -> web.Response:
    who = actor(request)
    body = ActionBody.model_validate(await json_object(request))
    ctx = request.config_dict[CASES]
    req = ActionRequest(body.action, body.note, tuple(body.attachments), body.params())
    case = await act(ctx, _case_no(request), who, req)
    request.config_dict[METRICS].case_actions.labels(body.action).inc()
    return json_response(serialize.case_summary(ctx, case, who, lang(request), ctx.clock()))


# The widest value each filter can match (its column's width). Longer values, NUL characters and ids
# beyond the integer column are refused here: the ORM or the database would fail on them with a 500.
FILTER_WIDTH = {"status": 16, "grid": 20, "category": 16, "reporter": 128, "text": 2000}


def case_filter(request: web.Request) -> CaseFilter:
    """The list's filters from the query string (the export takes the same), validated."""
    q = request.query
    _check_filters(request)
    assignee = int(q["assignee"]) if q.get("assignee") else None
    return CaseFilter(status=q.get("status"), grid=q.get("grid"), category=q.get("category"),
                      reporter=q.get("reporter"), overdue=flag(request, "overdue"), text=q.get("text"),
                      assignee=assignee)


def _check_filters(request: web.Request) -> None:
    q = request.query
    for name, width in FILTER_WIDTH.items():
        raw = q.get(name, "")
        if "\x00" in raw or any(len(v) > width for v in (raw.split(",") if name == "status" else [raw])):
            raise Invalid(f"{name} must be at most {width} characters, without NUL")
    assignee = q.get("assignee", "")
    if assignee and not (assignee.isascii() and assignee.isdigit() and int(assignee) < 2**31):
        raise Invalid("assignee must be a user id")


def _case_no(request: web.Request) -> str:
    case_no = parse_case_no(request.match_info["case_no"])
    if case_no is None:
        raise NotFound("no such case number (check the digits)")
    return case_no
