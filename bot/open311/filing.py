"""``POST /requests``: a client system files a report; the case's channel is ``open311:<client>``."""

from __future__ import annotations

from aiohttp import web

from bot.keys import CASES, METRICS
from bot.open311 import keys, mapping
from bot.open311.forms import NewRequest, flatten
from bot.open311.render import Open311Error, respond
from bot.open311.views import FMT, check_jurisdiction, live_service
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.grid.model import Datum
from intake.store.models import Open311Submission

routes = web.RouteTableDef()
URGENT = frozenset({"yes", "no"})


@routes.post("/requests." + FMT)
async def file_request(request: web.Request) -> web.Response:
    form = flatten(await request.post())
    client = await keys.client_for(form.get("api_key"))
    if client is None:  # checked before anything else: without a key, nothing about the input is answered
        raise Open311Error(403, "a valid api_key is required")
    body = NewRequest.model_validate(form)
    check_jurisdiction(request, body.jurisdiction_id)
    ctx = request.config_dict[CASES]
    service = live_service(request, body.service_code)
    landmark = _attributes(body)
    lat, lng = body.lat, body.long
    if lat is None and body.address_id:
        if body.address_id not in ctx.grid.index:
            raise Open311Error(400, "address_id must be a grid code of this jurisdiction")
        lng, lat = ctx.grid.index.centroid(body.address_id)
    address = " ".join(p for p in (body.address_string, landmark) if p) or None
    channel = f"open311:{client.name}"
    report = NewReport(channel=channel, reporter=body.reporter(), description=body.description or service.name_zh,
                       lat=lat, lng=lng, datum=Datum.WGS84, address=address[:300] if address else None,
                       category=service.code, photos=(body.media_url,) if body.media_url else ())
    opened = await open_case(ctx, report)
    case = opened.case
    await Open311Submission.create(case_no=case.case_no, client=client.name, contact=body.contact(),
                                   attributes=body.attributes, media_url=body.media_url, created_at=ctx.clock())
    request.config_dict[METRICS].cases_opened.labels("open311", str(opened.routed)).inc()
    notice = f"expected by {mapping.stamp(case.deadline_at)}"
    return respond(request.match_info["fmt"], "service_requests", [
        {"service_request_id": case.case_no, "service_notice": notice, "account_id": body.account_id}], 201)


def _attributes(body: NewRequest) -> str | None:
    """Check the attributes against the definition; returns the landmark, if any."""
    known = {a["code"] for a in mapping.ATTRIBUTES}
    unknown = sorted(set(body.attributes) - known)
    if unknown:
        raise Open311Error(400, f"unknown attribute codes: {', '.join(unknown)}")
    urgent, landmark = body.attributes.get("urgent"), body.attributes.get("landmark")
    if urgent is not None and urgent not in URGENT:
        raise Open311Error(400, "attribute urgent must be yes or no")
    if landmark is not None and (not isinstance(landmark, str) or len(landmark) > 100):
        raise Open311Error(400, "attribute landmark is one text of at most 100 characters")
    return landmark
