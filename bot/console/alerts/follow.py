"""Follow one alert: per cell targeted / reached / failed / acknowledged / escalated, in a table and on the
map, polled live (``coverage.json``); update it or cancel it, each after the same preview as a new alert."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.console.alerts import geo
from bot.console.alerts.composing import sent, signals
from bot.console.alerts.forms import admin, body_of, local, refused, words
from bot.console.auth import sessions
from bot.jsonout import json_response
from bot.keys import ALERTS
from bot.views.alerts import UpdateBody, preview_json, update_draft
from bot.web.auth import Me
from bot.web.render import error_page, gettext, page, see_other
from intake.alerts import acks
from intake.alerts.preview import preview
from intake.errors import DomainError
from intake.store.models_alerts import Alert

routes = web.RouteTableDef()


async def _alert(request: web.Request) -> Alert | None:
    raw = request.match_info["alert_id"]
    return await Alert.get_or_none(id=int(raw)) if raw.isdigit() and len(raw) <= 9 else None


async def _opened(request: web.Request, *, as_json: bool = False) -> tuple[Me, Alert] | web.Response:
    """The signed-in admin and the alert in the path, or the refusal (403 page; 404 as a page or JSON)."""
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    alert = await _alert(request)
    if alert is not None:
        return me, alert
    if as_json:
        return json_response({"error": "no such alert"}, status=404)
    return error_page(request, 404, gettext(request)("There is no such alert."))


# The table's order: what needs a look first (escalated, failed), then the answers, then the silent cells.
ORDER = {"escalated": 0, "failed": 1, "acknowledged": 2, "reached": 3, "targeted": 4}


def state(c: acks.CellCoverage) -> str:
    """The one word the map colours a cell by, the most telling first."""
    if c.acks:
        return "acknowledged"
    if c.escalated:
        return "escalated"
    if c.failed:
        return "failed"
    return "reached" if c.reached else "targeted"


async def coverage_of(request: web.Request, alert: Alert) -> dict[str, Any]:
    cells = await acks.coverage(alert, request.config_dict[ALERTS].delivery)
    rows: list[dict[str, Any]] = [
        {"grid": c.grid_code, "targeted": c.targeted, "reached": c.reached, "failed": c.failed,
             "acks": len(c.acks), "households": sum(a["households"] or 0 for a in c.acks),
             "support": any(a["support"] for a in c.acks), "escalated": c.escalated, "state": state(c)}
            for c in cells]
    rows.sort(key=lambda r: (ORDER[r["state"]], -int(r["targeted"]), r["grid"]))
    totals = {k: sum(int(r[k] or 0) for r in rows) for k in ("targeted", "reached", "failed", "households")}
    return {"id": alert.id, "status": alert.status, "version": alert.version, "cells": len(rows),
            "acknowledged": sum(1 for r in rows if r["acks"]), "escalated": sum(1 for r in rows if r["escalated"]),
            **totals, "rows": rows}


@routes.get("/alerts/{alert_id}", name="alert")
async def follow_page(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    me, alert = opened
    service = request.config_dict[ALERTS]
    signal = service.catalogue.signals.get(alert.signal_code or "")
    return page("alert.html", request, {
        "me": me, "alert": alert, "local": local, "cover": await coverage_of(request, alert),
        "colours": [s["colours"] for s in signals(service) if signal and s["code"] == signal.code][:1],
        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.get("/alerts/{alert_id}/coverage.json", name="alert_coverage")
async def coverage_json(request: web.Request) -> web.Response:
    opened = await _opened(request, as_json=True)
    if isinstance(opened, web.Response):
        return opened
    alert = opened[1]
    body = await coverage_of(request, alert)
    if request.query.get("shapes") == "1":
        body["shapes"] = geo.shapes(request.config_dict[ALERTS].grid.index, [r["grid"] for r in body["rows"]])
    return json_response(body, headers={"Cache-Control": "no-store"})


@routes.post("/alerts/{alert_id}/preview", name="alert_preview")
async def update_preview(request: web.Request) -> web.Response:
    """The update's preview; ``cancel=1``: what a cancel does (stop what is queued, tell who was reached)."""
    opened = await _opened(request, as_json=True)
    if isinstance(opened, web.Response):
        return opened
    (me, alert), service = opened, request.config_dict[ALERTS]
    try:
        body = UpdateBody.model_validate(body_of(await request.post(), update=True))
        seen = await preview(service, update_draft(service, alert, body, me.actor.ref), me.actor)
    except (DomainError, ValidationError) as exc:
        return refused(exc)
    return json_response({**preview_json(seen), "held_text": local(seen.held_until)},
                         headers={"Cache-Control": "no-store"})


@routes.post("/alerts/{alert_id}/update", name="alert_update")
async def update(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    (me, alert), service = opened, request.config_dict[ALERTS]
    try:
        body = UpdateBody.model_validate(body_of(await request.post(), update=True))
        out = await service.receive(update_draft(service, alert, body, me.actor.ref), me.actor)
    except (DomainError, ValidationError) as exc:
        await sessions(request).flash(me.session.sid, words(exc), "error")
        return see_other(request.app.router["alert"].url_for(alert_id=str(alert.id)))
    return await sent(request, me, out)


@routes.post("/alerts/{alert_id}/cancel", name="alert_cancel")
async def cancel(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    me, alert = opened
    try:
        out = await request.config_dict[ALERTS].cancel(alert, f"{alert.identifier}:cancel", me.actor)
    except DomainError as exc:
        await sessions(request).flash(me.session.sid, words(exc), "error")
        return see_other(request.app.router["alert"].url_for(alert_id=str(alert.id)))
    return await sent(request, me, out)
