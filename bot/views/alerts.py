"""Admin API for alerts: CAP intake, composing, update/cancel, the coverage view and workers' acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import AwareDatetime, Field, model_validator

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import ALERTS, SETTINGS
from bot.schemas import Strict, json_object
from bot.views.common import page
from intake.alerts import acks
from intake.alerts.area import Area, check_circle, check_polygon, division_prefix
from intake.alerts.cap import parse
from intake.alerts.compose import AdminAlert, compose, from_cap
from intake.alerts.preview import Preview, preview
from intake.alerts.service import AlertDraft, AlertService, Outcome
from intake.alerts.signals import colour_of
from intake.cases import scope
from intake.cases.states import Role
from intake.errors import Invalid, NotFound
from intake.store.models_alerts import Alert
from notify.http import read_capped

routes = web.RouteTableDef()
STAFF = (Role.ADMIN, Role.DISPATCHER)


class Circle(Strict):
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    radius_km: float = Field(ge=0, le=1000)


class AreaBody(Strict):
    polygon: list[tuple[float, float]] | None = Field(default=None, max_length=5000)
    circle: Circle | None = None
    divisions: list[str] = Field(default_factory=list, max_length=2000)
    grids: list[str] = Field(default_factory=list, max_length=10000)

    @model_validator(mode="after")
    def _something(self) -> AreaBody:
        if not (self.polygon or self.circle or self.divisions or self.grids):
            raise ValueError("the area needs a polygon, a circle, divisions or grids")
        return self

    def area(self) -> Area:
        for code in self.divisions:
            division_prefix(code)  # raises Invalid for a malformed code
        if any(not g.isdigit() or len(g) > 20 for g in self.grids):
            raise Invalid("grid codes are 6–20 digits")
        return Area(polygons=(check_polygon(list(self.polygon)),) if self.polygon else (),
                    circles=(check_circle(self.circle.lng, self.circle.lat, self.circle.radius_km),)
                    if self.circle else (), divisions=tuple(self.divisions), grids=tuple(self.grids))


class AlertBody(Strict):
    signal: str = Field(min_length=1, max_length=8)
    colour: str = Field(min_length=1, max_length=8)
    area: AreaBody
    message: str = Field(min_length=1, max_length=1000)
    guidance: str | None = Field(default=None, max_length=2000)
    instructions: str | None = Field(default=None, max_length=2000)  # grid workers only, never residents
    expires: AwareDatetime | None = None
    test: bool = False  # a test / exercise: staff (or the test group) only

    def request(self, sender: str) -> AdminAlert:
        return AdminAlert(self.signal, self.colour, self.area.area(), self.message, self.guidance, self.expires,
                          sender, self.instructions, self.test)


class UpdateBody(Strict):
    colour: str | None = Field(default=None, max_length=8)
    area: AreaBody | None = None
    message: str | None = Field(default=None, min_length=1, max_length=1000)
    guidance: str | None = Field(default=None, max_length=2000)
    instructions: str | None = Field(default=None, max_length=2000)


class AckBody(Strict):
    grid: str = Field(min_length=1, max_length=20)
    households: int | None = Field(default=None, ge=0, le=100_000)
    support: bool = False
    text: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)


def outcome_json(out: Outcome) -> dict[str, Any]:
    """The send answer, saying when it goes out: now, held until the end of quiet hours, or to staff only."""
    held = out.release_at.isoformat() if out.release_at else None
    when = "to staff only (test)" if out.test else f"held until {held} (quiet hours)" if held else "now"
    return {"id": out.alert_id, "action": out.action, "cells": out.cells, "residents": out.residents,
            "stopped": out.stopped, "reached": out.reached, "test": out.test, "held_until": held, "goes_out": when}


def preview_json(p: Preview) -> dict[str, Any]:
    return {"cells": len(p.cells), "cell_codes": p.cells[:5000], "residents": p.residents,
            "by_binding": p.by_binding, "by_channel": p.by_channel, "per_cell": p.per_cell,
            "groups": p.groups, "cells_without_group": p.no_group[:5000], "test": p.test, "staff": p.staff,
            "held_until": p.held_until.isoformat() if p.held_until else None}


def _outcome(out: Outcome) -> web.Response:
    return json_response(outcome_json(out), status=201 if out.action == "issued" else 200)


@routes.post("/alerts/cap")
async def post_cap(request: web.Request) -> web.Response:
    who = actor(request, *STAFF)
    limit = request.config_dict[SETTINGS].alerts.cap_max_bytes
    if (request.content_length or 0) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length or 0)
    data = await read_capped(request.content, limit)
    if len(data) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data))
    if not data.strip():
        raise Invalid("the body must be a CAP XML document")
    service = request.config_dict[ALERTS]
    return _outcome(await service.receive(from_cap(parse(data), service.catalogue), who))


@routes.post("/alerts")
async def post_alert(request: web.Request) -> web.Response:
    who = actor(request, *STAFF)
    body = AlertBody.model_validate(await json_object(request))
    service = request.config_dict[ALERTS]
    return _outcome(await service.receive(compose(body.request(who.ref), service.catalogue, service.clock()), who))


@routes.post("/alerts/preview")
async def preview_alert(request: web.Request) -> web.Response:
    """What ``POST /alerts`` with this body would do now; nothing is written or sent."""
    who = actor(request, *STAFF)
    body = AlertBody.model_validate(await json_object(request))
    service = request.config_dict[ALERTS]
    draft = compose(body.request(who.ref), service.catalogue, service.clock())
    return json_response(preview_json(await preview(service, draft, who)))


@routes.get("/alerts")
async def list_alerts(request: web.Request) -> web.Response:
    actor(request)
    number, size = page(request)
    query = Alert.all().order_by("-id")
    total, rows = await query.count(), await query.offset((number - 1) * size).limit(size)
    return json_response({"total": total, "page": number, "per_page": size, "items": [_summary(a) for a in rows]})


@routes.get("/alerts/{alert_id}")
async def get_alert(request: web.Request) -> web.Response:
    who = actor(request)
    alert = await _alert(request)
    street = request.query.get("street", "")
    cells = [c for c in await acks.coverage(alert, request.config_dict[ALERTS].delivery)
             if c.grid_code.startswith(street) and who.covers(c.grid_code)]
    known = request.config_dict[ALERTS].delivery is not None
    totals = {"targeted": sum(c.targeted for c in cells), "acknowledged": sum(1 for c in cells if c.acks),
              "escalated": sum(1 for c in cells if c.escalated), "cells": len(cells),
              "reached": sum(c.reached or 0 for c in cells) if known else None,
              "failed": sum(c.failed or 0 for c in cells) if known else None}
    return json_response({**_summary(alert), "message": alert.message, "guidance": alert.guidance,
                              "instructions": alert.instructions,
                              "area": alert.area, "delivery": "outbox" if known else "targeted-only",
                              "totals": totals, "coverage": [
                                  {"grid": c.grid_code, "targeted": c.targeted, "reached": c.reached,
                                   "failed": c.failed, "acks": c.acks, "escalated": c.escalated} for c in cells]})


@routes.post("/alerts/{alert_id}/update")
async def update_alert(request: web.Request) -> web.Response:
    who = actor(request, *STAFF)
    alert = await _alert(request)
    body = UpdateBody.model_validate(await json_object(request))
    service = request.config_dict[ALERTS]
    return _outcome(await service.receive(update_draft(service, alert, body, who.ref), who))


def update_draft(service: AlertService, alert: Alert, body: UpdateBody, sender: str) -> AlertDraft:
    """The Update message of ``alert`` that ``body`` asks for (the console previews the same draft)."""
    signal = service.catalogue.signals.get(alert.signal_code or "")
    colour = colour_of(body.colour) if body.colour else alert.colour
    if signal is not None:
        service.catalogue.check(signal, colour)
    return AlertDraft(identifier=f"{alert.identifier}:u{alert.version + 1}", sender=sender, source=alert.source,
                      msg_type="Update", signal=signal, colour=colour, event=alert.event,
                      headline=signal.title(colour) if signal else alert.headline,
                      message=body.message or alert.message,
                      guidance=body.guidance if body.guidance is not None else alert.guidance,
                      instructions=body.instructions if body.instructions is not None else alert.instructions,
                      area=body.area.area() if body.area else Area.from_json(alert.area), sent_at=service.clock(),
                      expires_at=alert.expires_at, references=(alert.identifier,), deliver=alert.status != "test")


@routes.post("/alerts/{alert_id}/cancel")
async def cancel_alert(request: web.Request) -> web.Response:
    who = actor(request, *STAFF)
    alert = await _alert(request)
    return _outcome(await request.config_dict[ALERTS].cancel(alert, f"{alert.identifier}:cancel", who))


@routes.post("/alerts/{alert_id}/acks")
async def post_ack(request: web.Request) -> web.Response:
    """A grid worker's answer for one of their cells: ``households`` / ``support``, or the card's text."""
    who = actor(request)
    alert = await _alert(request)
    body = AckBody.model_validate(await json_object(request))
    user_id = scope.answering_for(who, body.grid)
    households, support = (body.households, body.support) if body.text is None else acks.parse_ack_text(body.text)
    if households is None and not support:
        raise Invalid("give households (已通知到户 N 户), support (需要支援) or the text of the answer")
    ack = await acks.acknowledge(alert.id, body.grid, user_id, households, support, body.note,
                                 request.config_dict[ALERTS].clock())
    return json_response({"alert_id": alert.id, "grid": ack.grid_code, "households": ack.households,
                              "support": ack.support, "at": ack.at.isoformat()}, status=201)


async def _alert(request: web.Request) -> Alert:
    raw = request.match_info["alert_id"]
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(f"no alert {raw[:20]}")
    alert = await Alert.get_or_none(id=int(raw))
    if alert is None:
        raise NotFound(f"no alert {raw}")
    return alert


def _summary(a: Alert) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"id": a.id, "identifier": a.identifier, "sender": a.sender, "source": a.source, "status": a.status,
            "version": a.version, "signal": a.signal_code, "colour": a.colour, "event": a.event,
            "headline": a.headline, "sent": iso(a.sent_at), "expires": iso(a.expires_at),
            "release_at": iso(a.release_at), "cells": a.cells_count, "residents": a.residents_count}
