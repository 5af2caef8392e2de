"""What serves: activate, roll back, shadow, stop shadowing; each first a page naming what will change.

The confirmation is a GET that changes nothing; its button posts the change (CSRF-checked) through
``intake.tuning.registry``, as the admin API does, and this process reloads at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.console.auth import ME
from bot.console.nlp.common import ADMIN, allowed, attempt, path_id
from bot.keys import CASES, TUNING
from bot.web.render import error_page, gettext, page
from intake.errors import NotFound
from intake.store.models_nlp import ModelVersion
from intake.tuning import registry

routes = web.RouteTableDef()
STEPS = ("activate", "shadow", "rollback", "unshadow")


def _label(v: ModelVersion | None) -> str:
    return f"#{v.id} {v.name}" if v else ""


async def _plan(step: str, target: ModelVersion | None) -> dict[str, Any]:
    """What the step will change, as words' parts for the confirmation page."""
    active, shadow = await registry.serving()
    before = await registry.get(active.previous_id) if active and active.previous_id else None
    return {"step": step, "target": _label(target), "target_id": target.id if target else None,
            "active": _label(active), "shadow": _label(shadow), "previous": _label(before)}


@routes.get("/nlp/confirm/{step}", name="nlp_confirm")
@allowed(ADMIN)
async def confirm(request: web.Request) -> web.Response:
    _, step = gettext(request), request.match_info["step"]
    if step not in STEPS:
        return error_page(request, 404, _("There is no such item."))
    target = None
    if step in ("activate", "shadow"):
        raw = request.query.get("id", "")
        target = await ModelVersion.get_or_none(id=int(raw)) if raw.isascii() and raw.isdigit() and \
            0 < int(raw) < 2**31 else None
        if target is None:
            return error_page(request, 404, _("There is no such model version."))
    return page("nlp/confirm.html", request, {"me": request[ME], "tab": "models", "flash": None,
                                              "plan": await _plan(step, target)})


def _models(request: web.Request) -> str:
    return str(request.app.router["nlp_models"].url_for())


async def _change(request: web.Request, change: Callable[[str, datetime], Awaitable[object]],
                  done: str) -> web.Response:
    """One registry change by the signed-in admin, then this process serves the new state at once."""
    me, now = request[ME], request.config_dict[CASES].clock()

    async def step() -> None:
        await change(me.actor.ref, now)
        await request.config_dict[TUNING].refresh()
    return await attempt(request, _models(request), done, step)


@routes.post("/nlp/models/{id}/activate", name="nlp_activate")
@allowed(ADMIN)
async def activate(request: web.Request) -> web.Response:
    return await _change(request, lambda actor, now: registry.activate(path_id(request), actor, now),
                         gettext(request)("The version now classifies new cases."))


@routes.post("/nlp/models/{id}/shadow", name="nlp_shadow")
@allowed(ADMIN)
async def shadow(request: web.Request) -> web.Response:
    return await _change(request, lambda actor, now: registry.set_shadow(path_id(request), actor, now),
                         gettext(request)("The version now runs in the shadow."))


@routes.post("/nlp/rollback", name="nlp_rollback")
@allowed(ADMIN)
async def roll_back(request: web.Request) -> web.Response:
    return await _change(request, registry.roll_back, gettext(request)("Rolled back."))


@routes.post("/nlp/shadow/clear", name="nlp_unshadow")
@allowed(ADMIN)
async def unshadow(request: web.Request) -> web.Response:
    async def clear(actor: str, now: datetime) -> None:
        if not await registry.clear_shadow(actor, now):
            raise NotFound("no version runs in the shadow")
    return await _change(request, clear, gettext(request)("The shadow stopped."))
