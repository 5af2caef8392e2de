"""Admins set a staff member's console password (a forgotten one), and read the sign-in audit.

The rule (admins only, active staff only, a strong enough password) is intake's ``passwords.reset``; the
page checks the role first so a dispatcher sees a refusal, not a form. The member's sessions end:
whoever knew the old password is out.
"""

from __future__ import annotations

from aiohttp import web

from bot.console import choices
from bot.console.auth import ME, sessions
from bot.keys import CASES
from bot.web import present
from bot.web.render import error_page, gettext, page, see_other
from intake import passwords, staff_audit
from intake.cases.states import Role
from intake.errors import DomainError, Forbidden, NotFound

routes = web.RouteTableDef()


def _admin_only(request: web.Request) -> web.Response | None:
    if request[ME].actor.role is not Role.ADMIN:
        return error_page(request, 403, gettext(request)("Only an admin may open this page."))
    return None


@routes.get("/staff", name="staff")
async def staff(request: web.Request) -> web.Response:
    refused = _admin_only(request)
    if refused:
        return refused
    me = request[ME]
    return page("staff.html", request, {"me": me, "staff": await choices.staff(), "audit": await staff_audit.recent(50),
                                        "when": present.local_time,
                                        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.post("/staff/{user_id}/password", name="staff_password")
async def reset_password(request: web.Request) -> web.Response:
    refused = _admin_only(request)
    if refused:
        return refused
    me, _ = request[ME], gettext(request)
    form, raw = await request.post(), request.match_info["user_id"]
    password, again = str(form.get("password", "")), str(form.get("again", ""))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return error_page(request, 404, _("There is no such staff member."))
    if password != again:
        await sessions(request).flash(me.session.sid, _("The two passwords differ."), "error")
        return see_other(request.app.router["staff"].url_for())
    try:
        await passwords.reset(me.actor, int(raw), password, request.config_dict[CASES].clock(), request.remote or "-")
    except (NotFound, Forbidden):
        return error_page(request, 404, _("There is no such staff member."))
    except DomainError as exc:
        await sessions(request).flash(me.session.sid, f"{_('Please check what you entered.')} ({exc.message})", "error")
        return see_other(request.app.router["staff"].url_for())
    await sessions(request).sign_out_everywhere(int(raw))
    await sessions(request).flash(me.session.sid, _("The password of user {id} is set.").format(id=raw), "ok")
    return see_other(request.app.router["staff"].url_for())
