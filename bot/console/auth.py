"""Who is at the console: the session cookie (``console`` namespace), the role check and CSRF.

Every request reads the user afresh, so a deactivated user or a changed role is out at the next
request. A worker has no business here and is sent to the worker's pages. Before sign-in there is
no session: the sign-in form's CSRF token is a double-submit cookie instead.
"""

from __future__ import annotations

import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.console.config import ConsoleConfig
from bot.keys import CASES, KV
from bot.web.auth import Me, signed_in
from bot.web.session import Session, Sessions, csrf_ok

COOKIE, PRE_COOKIE, PATH = "gl_console", "gl_console_pre", "/console"
CONFIG = web.AppKey("console_config", ConsoleConfig)
PUBLIC = frozenset({"login", "login_post", "login_wecom", "login_wecom_back", "static", "bare"})
# Streamed uploads (over the app's form size): the handler reads the CSRF field first and checks it.
UPLOADS = frozenset({"setup_grids_upload"})
# Who may sign in: the desk roles (a supervisor role joins when the user model has one).
DESK_ROLES = frozenset({"admin", "dispatcher", "supervisor"})


# Routes whose body may exceed the app's form-sized limit: a label CSV (its import's own limit and the wrapping).
BIG_BODIES = {"nlp_labels_preview": 2 * 1024 * 1024 + 64 * 1024, "nlp_labels_import": 2 * 1024 * 1024 + 64 * 1024}
ME = web.RequestKey("console_me", Me)


def sessions(request: web.Request) -> Sessions:
    return Sessions(request.config_dict[KV], request.config_dict[CONFIG].session_idle, "console",
                    request.config_dict[CASES].clock)


@web.middleware
async def console_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = request.match_info.route.name
    if name in PUBLIC or request.match_info.http_exception is not None:
        return await handler(request)
    if name in BIG_BODIES:
        request = request.clone(client_max_size=BIG_BODIES[name])
    me = await signed_in(request, sessions(request), COOKIE, f"{PATH}/login", DESK_ROLES,
                         form_csrf=name not in UPLOADS)
    if not isinstance(me, Me):
        return me
    request[ME] = me
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
