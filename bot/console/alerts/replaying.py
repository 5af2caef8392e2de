"""Replay a typhoon best track against the district (the domain's replay; nothing is sent): a timeline of
what would have been sent when — each Alert / Update / Cancel with its colour and cells per colour."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.console.alerts.forms import admin, local
from bot.keys import ALERTS
from bot.web.render import page
from intake.alerts.replay import MAX_BYTES, Step, read_track, replay, storms
from intake.alerts.signals import COLOUR_ZH
from intake.errors import DomainError, Invalid

routes = web.RouteTableDef()
DEFAULT_RADIUS_KM = 150.0


def timeline(steps: list[Step]) -> list[dict[str, Any]]:
    return [{"at": local(s.at), "type": s.msg_type, "colour": s.colour or "none",
             "colour_zh": COLOUR_ZH.get(s.colour or "", ""), "nearest_km": s.nearest_km, "wind": s.wind,
             "cells": {c: len(v) for c, v in s.cells.items()}} for s in steps]


@routes.get("/alerts/replay", name="alerts_replay")
async def replay_page(request: web.Request) -> web.Response:
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    return page("alerts_replay.html", request, {"me": me, "runs": None, "error": None,
                                                "radius": DEFAULT_RADIUS_KM, "district": ""})


@routes.post("/alerts/replay", name="alerts_replay_run")
async def replay_run(request: web.Request) -> web.Response:
    me = admin(request)
    if isinstance(me, web.Response):
        return me
    form, index = await request.post(), request.config_dict[ALERTS].grid.index
    district = str(form.get("district", "")).strip()[:20]
    runs: dict[str, list[dict[str, Any]]] | None = None
    error = None
    try:
        radius = _number(form.get("radius_km"))
        if district and not district.isdigit():
            raise Invalid("the district is a region code of digits, e.g. 440307")
        upload = form.get("track")
        if upload is None or not hasattr(upload, "file"):
            raise Invalid("choose a best-track CSV file")
        tracks = storms(read_track(upload.file.read(MAX_BYTES + 1)))
        wanted = str(form.get("storm", "")).strip().lower()
        tracks = {k: v for k, v in tracks.items() if not wanted or k.lower() == wanted}
        if not tracks:
            raise Invalid(f"no storm {wanted[:30]!r} in the file")
        # numpy over hours × cells: off the event loop
        runs = {name: timeline(await asyncio.to_thread(replay, track, index, radius, district))
                for name, track in sorted(tracks.items())}
    except DomainError as exc:
        error = exc.message
    return page("alerts_replay.html", request, {"me": me, "runs": runs, "error": error,
                                                "radius": form.get("radius_km", DEFAULT_RADIUS_KM),
                                                "district": district}, status=400 if error else 200)


def _number(raw: object) -> float:
    try:
        return float(str(raw))
    except ValueError:
        raise Invalid("the radius must be a number of kilometres") from None
