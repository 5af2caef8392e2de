"""Who is at the console: the session cookie (``console`` namespace), the role check and CSRF.

Every request reads the user afresh, so a deactivated user or a changed role is out at the next
request. A worker has no business here and is sent to the worker's pages. Before sign-in there is
no session: the sign-in form's CSRF token is a double-submit cookie instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from bot.console.config import ConsoleConfig
from bot.keys import KV
from bot.web.render import error_page, see_other, translate
from bot.web.session import Session, Sessions, csrf_ok
from bot.worker.auth import staff_actor
from intake.cases.model import Actor
from intake.store.models import User

COOKIE, PRE_COOKIE, PATH = "gl_console", "gl_console_pre", "/console"
CONFIG = web.AppKey("console_config", ConsoleConfig)
PUBLIC = frozenset({"login", "login_post", "static", "bare"})
# Who may sign in: the desk roles (a supervisor role joins when the user model has one).
DESK_ROLES = frozenset({"admin", "dispatcher", "supervisor"})


@dataclass(frozen=True, slots=True)
class Me:
    actor: Actor
    session: Session


ME = web.RequestKey("console_me", Me)


def sessions(request: web.Request) -> Sessions:
    return Sessions(request.config_dict[KV], request.config_dict[CONFIG].session_idle, "console")


@web.middleware
async def console_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = request.match_info.route.name
    if name in PUBLIC or request.match_info.http_exception is not None:
        return await handler(request)
    store = sessions(request)
    session = await store.load(request.cookies.get(COOKIE, ""))
    user = await User.get_or_none(id=session.user_id, active=True) if session else None
    if session is None or user is None:
        if session is not None:
            await store.end(session.sid)
        if request.method == "GET":
            return see_other(URL(f"{PATH}/login").with_query(next=request.path_qs))
        return error_page(request, 401, translate(request, "Your session has ended. Please sign in again."))
    if user.role not in DESK_ROLES:
        await store.end(session.sid)  # the role changed since sign-in
        return see_other("/worker/")
    if request.method == "POST" and not csrf_ok(session, (await request.post()).get("csrf")):
        return error_page(request, 403, translate(request, "This form has expired. Please reload the page."))
    request[ME] = Me(await staff_actor(user), session)
    return await handler(request)


def set_cookie(response: web.StreamResponse, name: str, value: str, secure: bool) -> None:
    response.set_cookie(name, value, path=PATH, httponly=True, samesite="Strict", secure=secure)


def pre_token(request: web.Request) -> str:
    """The sign-in form's CSRF token: the browser's pre-session cookie, or a new one."""
    token = request.cookies.get(PRE_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(32)


def pre_token_ok(request: web.Request, form_token: object) -> bool:
    cookie = request.cookies.get(PRE_COOKIE, "")
    return bool(cookie) and csrf_ok(Session("", 0, cookie), form_token)
