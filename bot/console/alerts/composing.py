"""Compose an alert (signal × colour from the catalogue, texts prefilled from the signal's standard), preview
it, send it; or upload a CAP file, see its preview, send it. A send answers when it goes out."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.console.alerts import geo
from bot.console.alerts.forms import admin, body_of, local, refused, words
from bot.console.auth import sessions
from bot.jsonout import json_response
from bot.keys import ALERTS, SETTINGS
from bot.views.alerts import AlertBody, preview_json
from bot.web.auth import Me
from bot.web.render import gettext, page, see_other
from intake.alerts.cap import parse
from intake.alerts.compose import compose, from_cap
from intake.alerts.preview import preview
from intake.alerts.service import AlertDraft, AlertService, Outcome
from intake.alerts.signals import COLOUR_ZH
from intake.errors import DomainError, Invalid
from intake.store.models_alerts import Alert

routes = web.RouteTableDef()
RECENT = 20


def signals(service: AlertService) -> list[dict[str, Any]]:
    """Each signal with only the colours it has (an impossible pair is never offered) and its standard text."""
    return [{"code": s.code, "name": s.name_zh,
             "colours": [{"colour": c, "zh": COLOUR_ZH[c], "title": s.title(c), "criteria": s.criteria[c]}
                         for c in ("blue", "yellow", "orange", "red") if c in s.criteria]}
            for s in service.catalogue.signals.values()]


async def compose_page(request: web.Request, me: Me, extra: dict[str, Any] | None = None,
                       status: int = 200) -> web.Response:
    service = request.config_dict[ALERTS]
    index = service.grid.index
    return page("alerts.html", request, {
        "me": me, "signals": signals(service), "places": geo.places(index), "outline": geo.outline(index),
        "recent": await Alert.all().order_by("-id").limit(RECENT), "local": local,
        "flash": await sessions(request).pop_flash(me.session.sid), "cap": None, "error": None,
        "form": {}, **(extra or {})}, status=status)


@routes.get("/alerts", name="alerts")
async def alerts_page(request: web.Request) -> web.Response:
    me = admin(request)
    return me if isinstance(me, web.Response) else await compose_page(request, me)


def _draft(request: web.Request, me: Me, form: Any) -> AlertDraft:
    service = request.config_dict[ALERTS]
    body = AlertBody.model_validate(body_of(form))
    return compose(body.request(me.actor.ref), service.catalogue, service.clock())


@routes.post("/alerts/preview", name="alerts_preview")
async def preview_post(request: web.Request) -> web.Response:
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    service = request.config_dict[ALERTS]
    try:
        seen = await preview(service, _draft(request, me, await request.post()), me.actor)
    except (DomainError, ValidationError) as exc:
        return refused(exc)
    return json_response({**preview_json(seen), "held_text": local(seen.held_until),
                          "shapes": geo.shapes(service.grid.index, seen.cells)}, headers={"Cache-Control": "no-store"})


async def sent(request: web.Request, me: Me, out: Outcome) -> web.Response:
    """Flash what happened and when it goes out; on to the alert's follow page."""
    _ = gettext(request)
    when = (_("Test: told to staff only, no resident.") if out.test else
            _("Held until {time} (quiet hours).").format(time=local(out.release_at)) if out.release_at else
            _("Goes out now."))
    text = _("Alert {id} {action}: {cells} cells, {residents} residents.").format(
        id=out.alert_id, action=_(out.action), cells=out.cells, residents=out.residents)
    await sessions(request).flash(me.session.sid, f"{text} {when}", "ok")
    return see_other(request.app.router["alert"].url_for(alert_id=str(out.alert_id)))


@routes.post("/alerts", name="alerts_send")
async def send(request: web.Request) -> web.Response:
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    form = await request.post()
    try:
        out = await request.config_dict[ALERTS].receive(_draft(request, me, form), me.actor)
    except (DomainError, ValidationError) as exc:
        return await compose_page(request, me, {"error": words(exc), "form": dict(form)}, status=400)
    return await sent(request, me, out)


@routes.post("/alerts/cap", name="alerts_cap")
async def cap_upload(request: web.Request) -> web.Response:
    """``step=preview``: the file's preview, its text kept in the form; ``step=send``: receive it."""
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    form, service = await request.post(), request.config_dict[ALERTS]
    try:
        data = _cap_bytes(form.get("file") or form.get("xml"), request.config_dict[SETTINGS].alerts.cap_max_bytes)
        draft = from_cap(parse(data), service.catalogue)
        if form.get("step") == "send":
            return await sent(request, me, await service.receive(draft, me.actor))
        seen = await preview(service, draft, me.actor)
    except DomainError as exc:
        return await compose_page(request, me, {"error": words(exc)}, status=400)
    return await compose_page(request, me, {"cap": {
        "xml": data.decode("utf-8", "replace"), "draft": draft, "preview": seen, "held": local(seen.held_until)}})


def _cap_bytes(field: Any, limit: int) -> bytes:
    if field is None:
        raise Invalid("choose a CAP XML file")
    data = field.file.read(limit + 1) if hasattr(field, "file") else str(field).encode("utf-8")
    if len(data) > limit:
        raise Invalid(f"the CAP file is larger than {limit // 1024} KB")
    if not data.strip():
        raise Invalid("the file is empty: a CAP XML document was expected")
    return bytes(data)
