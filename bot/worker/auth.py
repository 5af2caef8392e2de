"""Who is at the worker's page: a signed task-card link or the session cookie, and the CSRF check.

A signed link (``?u=…&exp=…&sig=…`` on a case page) starts a new session for its user and redirects to
the same page without the signature, so it does not stay in the address bar. Every other request needs
the session cookie; the user is read afresh each time, so a deactivated user is out at the next
request. Every POST carries the session's CSRF token in the form.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.keys import CASES, KV
from bot.web.auth import Me, signed_in
from bot.web.render import error_page, see_other, translate
from bot.worker.config import WorkerConfig
from bot.worker.session import COOKIE, Sessions
from intake import links
from intake.store.models import User

CONFIG = web.AppKey("worker_config", WorkerConfig)
# Routes that need no session: the sign-in ways, the static files and the service worker.
PUBLIC = frozenset({"login", "login_wecom", "login_wecom_back", "login_code", "static", "bare", "sw"})
SIGNED = "case"  # the route a signed link opens


ME = web.RequestKey("worker_me", Me)


def sessions(request: web.Request) -> Sessions:
    return Sessions(request.config_dict[KV], request.config_dict[CONFIG].session_idle, request.config_dict[CASES].clock)


@web.middleware
async def worker_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = request.match_info.route.name
    if name in PUBLIC or request.match_info.http_exception is not None:
        return await handler(request)
    if name == SIGNED and request.method == "GET" and "sig" in request.query:
        return await _open_signed_link(request)
    me = await signed_in(request, sessions(request), COOKIE, "/worker/login")
    if not isinstance(me, Me):
        return me
    request[ME] = me
    return await handler(request)


async def _open_signed_link(request: web.Request) -> web.StreamResponse:
    q, config = request.query, request.config_dict[CONFIG]
    link = links.verify(config.link_key, request.match_info["case_no"], q.get("u", ""), q.get("exp", ""),
                        q.get("sig", ""), request.config_dict[CASES].clock())
    user = await User.get_or_none(id=link.user_id, active=True) if link else None
    if user is None:
        return error_page(request, 403, translate(request, "This link is not valid or has expired. "
                                                           "Open the newest task card, or ask your dispatcher."))
    store = sessions(request)
    if old := request.cookies.get(COOKIE):
        await store.end(old)  # one tap replaces whoever was signed in on this phone
    session = await store.start(user.id, request.headers.get("User-Agent", ""))
    clean = request.rel_url.with_query({k: v for k, v in q.items() if k not in ("u", "exp", "sig")})
    response = see_other(clean)
    set_cookie(response, session.sid, config.secure_cookies)
    return response


def set_cookie(response: web.StreamResponse, sid: str, secure: bool) -> None:
    response.set_cookie(COOKIE, sid, path="/worker", httponly=True, samesite="Lax", secure=secure)

