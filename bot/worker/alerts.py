"""预警 for a grid worker: the warnings in force over my cells, and my answer per cell.

The WeCom alert card links here (``?alert=…&grid=…`` marks the cell it was about); the answer —
已通知到户 N 户 and/or 需要支援 — is a form (CSRF, post/redirect/get, an idempotency key like every
worker action) recorded by intake's ``mine.answer``, the same rule and record as the admin API's.
"""

from __future__ import annotations

from aiohttp import web

from bot.keys import CASES
from bot.web.present import local_time
from bot.web.render import error_page, gettext, page, see_other
from bot.worker.auth import ME, sessions
from intake.alerts import mine
from intake.errors import DomainError, NotFound

routes = web.RouteTableDef()


@routes.get("/alerts", name="alerts")
async def alerts_page(request: web.Request) -> web.Response:
    me = request[ME]
    mine_now = await mine.active_for(me.actor, request.config_dict[CASES].clock())
    return page("alerts.html", request, {
        "me": me, "alerts": mine_now, "when": local_time, "focus": request.query.get("grid", "")[:20],
        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.post("/alerts/{alert_id}", name="alert_ack")
async def alert_ack(request: web.Request) -> web.Response:
    me, _ = request[ME], gettext(request)
    raw, form = request.match_info["alert_id"], await request.post()
    told = str(form.get("households", "")).strip()
    if not raw.isdigit() or len(raw) > 9 or (told and (not told.isdigit() or len(told) > 6)):
        return error_page(request, 400, _("Please check what you entered."))
    note = str(form.get("note", "")).strip()[:500] or None
    try:
        await mine.answer(me.actor, int(raw), str(form.get("grid", ""))[:20], int(told) if told else None,
                          form.get("support") == "1", note, request.config_dict[CASES].clock())
    except NotFound:
        return error_page(request, 404, _("This warning is no longer in force."))
    except DomainError as exc:
        await sessions(request).flash(me.session.sid, f"{_('Please check what you entered.')} ({exc.message})",
                                      "error")
    else:
        await sessions(request).flash(me.session.sid, _("Your answer is recorded."), "ok")
    return see_other(request.app.router["alerts"].url_for())
