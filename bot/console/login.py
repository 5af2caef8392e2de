"""Signing in to the console with a user id and password, and out; every try is logged (never the password)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console.auth import (
    CONFIG,
    COOKIE,
    DESK_ROLES,
    ME,
    PATH,
    PRE_COOKIE,
    pre_token,
    pre_token_ok,
    sessions,
    set_cookie,
)
from bot.console.lockout import Lockout
from bot.keys import CASES, KV, SETTINGS
from bot.web.render import error_page, page, see_other, translate
from intake import passwords, staff_audit
from intake.store.models import User

log = logging.getLogger("gridline.console")
routes = web.RouteTableDef()


def safe_next(target: str) -> str:
    ours = target.startswith(f"{PATH}/") and "//" not in target and "\\" not in target
    return target if ours else f"{PATH}/"  # never an open redirect


def form_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = pre_token(request)
    response = page("login.html", request, {"csrf": token, "error": error, "next": request.query.get("next", ""),
                                            "wecom": request.config_dict[SETTINGS].wecom.oauth_ready}, status=status)
    set_cookie(response, PRE_COOKIE, token, request.config_dict[CONFIG].secure_cookies)
    return response


@routes.get("/login", name="login")
async def login(request: web.Request) -> web.Response:
    if await sessions(request).load(request.cookies.get(COOKIE, "")) is not None:
        return see_other(safe_next(request.query.get("next", "")))
    return form_page(request)


@routes.post("/login", name="login_post")
async def login_post(request: web.Request) -> web.Response:
    form, config = await request.post(), request.config_dict[CONFIG]
    if not pre_token_ok(request, form.get("csrf")):
        return error_page(request, 403, translate(request, "This form has expired. Please reload the page."))
    account, password = str(form.get("account", "")).strip()[:20], str(form.get("password", ""))
    ip = request.remote or "-"
    lockout = Lockout(request.config_dict[KV], config.max_failures, config.lockout)
    if await lockout.locked(account, ip):
        log.warning("console sign-in refused: locked", extra={"account": account, "ip": ip})
        await staff_audit.record("sign_in_locked", request.config_dict[CASES].clock(), account=account,
                                 user_id=None, actor=f"account:{account}", ip=ip)
        return form_page(request, translate(request, "Too many failed sign-ins. Please try again in 15 minutes."), 429)
    now = request.config_dict[CASES].clock()
    known = account.isdigit() and len(account) <= 9  # an IntField id: larger numbers name no one
    user = await User.get_or_none(id=int(account), active=True) if known else None
    # An unknown account is checked too (against no one's hash), so the time tells nothing.
    if not await passwords.verify(user.id if user else 0, password, now) or user is None:
        failures = await lockout.failed(account, ip)
        log.warning("console sign-in failed", extra={"account": account, "ip": ip, "failures": failures})
        await staff_audit.record("sign_in_failed", now, account=account, user_id=user.id if user else None,
                                 actor=f"account:{account}", ip=ip, detail=f"failure {failures}")
        return form_page(request, translate(request, "Wrong user id or password."), 401)
    await lockout.clear(account, ip)
    if user.role not in DESK_ROLES:
        log.info("console sign-in sent to the worker pages", extra={"user_id": user.id, "ip": ip})
        return see_other("/worker/")
    session = await sessions(request).start(user.id, request.headers.get("User-Agent", ""))
    log.info("console sign-in", extra={"user_id": user.id, "role": user.role, "ip": ip})
    await staff_audit.record("sign_in", now, account=account, user_id=user.id, actor=f"user:{user.id}", ip=ip)
    response = see_other(safe_next(str(form.get("next", ""))))
    set_cookie(response, COOKIE, session.sid, config.secure_cookies)
    response.del_cookie(PRE_COOKIE, path=PATH)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    me = request[ME]
    await sessions(request).end(me.session.sid)
    log.info("console sign-out", extra={"user_id": me.actor.user_id})
    await staff_audit.record("sign_out", request.config_dict[CASES].clock(), account=str(me.actor.user_id),
                             user_id=me.actor.user_id, actor=me.actor.ref, ip=request.remote or "-")
    response = see_other(request.app.router["login"].url_for())
    response.del_cookie(COOKIE, path=PATH)
    return response
