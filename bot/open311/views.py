"""Open311 GeoReport v2 reads: discovery, services, service definitions, requests, tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from tortoise.queryset import QuerySet

from bot.keys import CASES
from bot.open311 import keys, mapping
from bot.open311.config import Open311Config
from bot.open311.render import JSON_TYPE, XML_TYPE, Open311Error, respond
from bot.open311.scopes import Scope, redact
from bot.views.common import lang
from intake.cases.numbers import parse_case_no
from intake.cases.states import FINAL, OPEN
from intake.store.models import Case, Department
from intake.taxonomy.catalog import Category

routes = web.RouteTableDef()
FMT = "{fmt:(json|xml)}"
SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_RANGE = timedelta(days=90)
CONFIG = web.AppKey("open311_config", Open311Config)


def config(request: web.Request) -> Open311Config:
    return request.config_dict[CONFIG]


def check_jurisdiction(request: web.Request, given: str | None) -> None:
    wanted = config(request).jurisdiction_id
    if given and wanted and given != wanted:
        raise Open311Error(404, f"jurisdiction_id {given!r} is not served here")


async def _may_read(request: web.Request) -> Scope:
    """The reader's scope; a key that is given must be valid even where reads are public."""
    check_jurisdiction(request, request.query.get("jurisdiction_id"))
    given = request.query.get("api_key")
    client = await keys.client_for(given)
    if client is None and (given or not config(request).public_reads):
        raise Open311Error(403, "reading requests needs a valid api_key on this server")
    return Scope.of(client)


def _within(query: QuerySet[Case], scope: Scope) -> QuerySet[Case]:
    return query if scope.channels is None else query.filter(channel__in=list(scope.channels))


@routes.get("/discovery." + FMT)
async def discovery(request: web.Request) -> web.Response:
    cfg = config(request)
    base = cfg.public_url or f"{request.url.origin()}{request.path.rsplit('/', 1)[0]}"
    endpoint = {"specification": SPEC, "url": base, "changeset": cfg.changeset, "type": cfg.endpoint_type,
                "formats": [XML_TYPE, JSON_TYPE]}
    return respond(request.match_info["fmt"], "discovery", {
        "changeset": cfg.changeset, "contact": cfg.contact, "key_service": cfg.key_service,
        "endpoints": [endpoint]})


@routes.get("/services." + FMT)
async def services(request: web.Request) -> web.Response:
    check_jurisdiction(request, request.query.get("jurisdiction_id"))
    catalog, language = request.config_dict[CASES].taxonomy.catalog, lang(request)
    body = [mapping.service(c, catalog.find(c.parent) if c.parent else None, language) for c in catalog.leaves()]
    return respond(request.match_info["fmt"], "services", body)


def live_service(request: web.Request, code: str) -> Category:
    found = request.config_dict[CASES].taxonomy.catalog.find(code)
    if found is None or not found.is_leaf or found.retired:
        raise Open311Error(404, f"service_code {code!r} not found")
    return found


@routes.get("/services/{code}." + FMT)
async def definition(request: web.Request) -> web.Response:
    check_jurisdiction(request, request.query.get("jurisdiction_id"))
    found = live_service(request, request.match_info["code"])
    return respond(request.match_info["fmt"], "service_definition", mapping.definition(found))


@routes.get("/requests." + FMT)
async def requests(request: web.Request) -> web.Response:
    scope = await _may_read(request)
    q, cfg = request.query, config(request)
    if q.get("service_request_id"):
        numbers = [n for raw in q["service_request_id"].split(",")[: cfg.max_results] if (n := parse_case_no(raw))]
        query = Case.filter(case_no__in=numbers)
    else:
        start, end = _range(q.get("start_date"), q.get("end_date"), request.config_dict[CASES].clock())
        query = Case.filter(opened_at__gte=start, opened_at__lte=end)
        if q.get("service_code"):
            codes = q["service_code"].split(",")
            if len(codes) > 100 or any(len(c) > 16 for c in codes):
                raise Open311Error(400, "service_code: at most 100 codes of at most 16 characters")
            query = query.filter(category_code__in=codes)
        if q.get("status"):
            wanted = set(q["status"].split(","))
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open, closed or both")
            statuses = (OPEN if "open" in wanted else set()) | (FINAL if "closed" in wanted else set())
            query = query.filter(status__in=[str(s) for s in statuses])
    number, size = _page(q.get("page"), q.get("page_size"), cfg.max_results)
    rows = await _within(query, scope).order_by("-opened_at", "-id").offset((number - 1) * size).limit(size)
    return await _render(request, rows, scope)


async def _render(request: web.Request, rows: list[Case], scope: Scope) -> web.Response:
    ctx, language = request.config_dict[CASES], lang(request)
    agencies = {d.code: d.name for d in await Department.all()} if rows else {}
    body = [redact(mapping.request(ctx, c, agencies, language), scope) for c in rows]
    return respond(request.match_info["fmt"], "service_requests", body)


def _when(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not an ISO 8601 datetime") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone (Z or ±hh:mm)")
    return moment


def _range(start_raw: str | None, end_raw: str | None, now: datetime) -> tuple[datetime, datetime]:
    start, end = _when(start_raw, "start_date"), _when(end_raw, "end_date")
    end = end or (start + MAX_RANGE if start else now)
    start = start or end - MAX_RANGE
    if start > end or end - start > MAX_RANGE:
        raise Open311Error(400, "start_date must precede end_date, at most 90 days apart")
    return start, end


def _page(page: str | None, size: str | None, most: int) -> tuple[int, int]:
    try:
        number, per = int(page or 1), int(size or most)
    except ValueError:
        raise Open311Error(400, "page and page_size must be whole numbers") from None
    if not (1 <= number <= 1_000_000 and 1 <= per <= most):
        raise Open311Error(400, f"page must be 1 or more and page_size within 1–{most}")
    return number, per


@routes.get("/requests/{id}." + FMT)
async def one(request: web.Request) -> web.Response:
    scope = await _may_read(request)
    case_no = parse_case_no(request.match_info["id"])
    case = await _within(Case.filter(case_no=case_no), scope).first() if case_no else None
    if case is None:
        raise Open311Error(404, "service_request_id not found")
    return await _render(request, [case], scope)


@routes.get("/tokens/{token}." + FMT)
async def token(request: web.Request) -> web.Response:
    """Every service is realtime, so a request's token is its id: this resolves for clients written for batch."""
    scope = await _may_read(request)
    case_no = parse_case_no(request.match_info["token"])
    if case_no is None or not await _within(Case.filter(case_no=case_no), scope).exists():
        raise Open311Error(404, "token not found")
    return respond(request.match_info["fmt"], "service_requests",
                   [{"service_request_id": case_no, "token": request.match_info["token"]}])
