"""巡查上报: a worker files what they found on patrol, at their position, with a category they pick.

The case opens through intake's ``open_case`` like any report, on the channel ``worker`` with the
worker as reporter; the form is validated as the admin API's report body is (same limits). Photos are
the report's own (sealed in the opening event with their originals' SHA-256), watermarked with its number.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from bot.keys import CASES
from bot.schemas import ReportBody
from bot.web import watermarks
from bot.web.render import gettext, language, page, see_other
from bot.web.uploads import device_position, photo_config, read_form, runner
from bot.worker.auth import ME, sessions
from intake.cases import scope
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.errors import DomainError
from intake.grid.model import Datum
from intake.photos import staff

routes = web.RouteTableDef()
CHANNEL = "worker"


@routes.get("/report", name="report")
async def report_form(request: web.Request) -> web.Response:
    return await _form(request, {}, None)


@routes.post("/report", name="report_post")
async def report_post(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    fields: dict[str, str] = {}
    try:
        form = await read_form(request)
        fields = {k: form.fields.get(k, "").strip() for k in ("description", "category", "address", "lat", "lng")}
        body = ReportBody.model_validate({
            "channel": CHANNEL, "reporter": me.actor.ref, "description": fields["description"],
            "category": fields["category"] or None, "address": fields["address"] or None,
            "lat": fields["lat"] or None, "lng": fields["lng"] or None})
        # Photos first: every one validated before the case opens, stored with its number once it has one.
        if form.photos:
            watermarks.warm(request)
        photos = await staff.inspect_all(runner(request), photo_config(request), form.photos)
        # No position from the device: the first photo's own GPS places the report, marked as such.
        exif = staff.exif_position(photos) if body.lat is None else None
        lat, lng = exif if exif is not None else (body.lat, body.lng)
        if lat is None and not body.address:
            return await _form(request, fields, _("Share your position or type the address."))
        ids = tuple(staff.new_media_id() for _ in photos)
        opened = await open_case(ctx, NewReport(
            channel=CHANNEL, reporter=me.actor.ref, description=body.description, lng=lng, lat=lat,
            datum=Datum.WGS84, address=body.address, category=body.category, photos=ids,
            evidence=tuple(staff.describe(p, i) for p, i in zip(photos, ids, strict=True)),
            position_source=staff.PHOTO_EXIF if exif is not None else None))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return await _form(request, fields, f"{_('Please check what you entered.')} ({problems})")
    except DomainError as exc:
        return await _form(request, fields, f"{_('Please check what you entered.')} ({exc.message})")
    case = opened.case
    await staff.store(photo_config(request), case.case_no, me.actor, photos, ctx.clock(), device_position(fields), ids)
    watermarks.start(request, photo_config(request), ids)
    await sessions(request).flash(me.session.sid, _("Reported as case {case_no}.").format(case_no=case.case_no), "ok")
    if scope.can_read(me.actor, case):
        return see_other(request.app.router["case"].url_for(case_no=case.case_no))
    return see_other(request.app.router["home"].url_for())  # outside my cells: the desk places it


async def _form(request: web.Request, fields: dict[str, str], error: str | None) -> web.Response:
    ctx, lang = request.config_dict[CASES], language(request)
    leaves = sorted(ctx.taxonomy.catalog.leaves(), key=lambda c: c.code)
    return page("report.html", request, {
        "me": request[ME], "categories": [(c.code, c.name(lang)) for c in leaves], "fields": fields,
        "flash": {"text": error, "kind": "error"} if error else None}, status=400 if error else 200)
