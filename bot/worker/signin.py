"""Signing in to the worker pages without a task card: WeCom web OAuth, or a one-time code.

WeCom (企业微信网页授权, ``snsapi_base``): ``/worker/login?next=…`` → ``/worker/login/wecom`` → WeCom's
authorize URL → back at ``/worker/login/wecom/back`` with ``code`` and ``state`` → ``getuserinfo`` → the
active user whose ``wecom_userid`` it names → a session, and on to ``next``. The ``state`` is random, kept
in the store with ``next`` and in a cookie of this browser, so a code can only finish the sign-in it began.
Inside WeCom's browser the sign-in page goes to WeCom at once (the member is asked nothing).

A one-time code (``gridline worker code --user ID``) signs in a first time on a new phone; tries are
limited per address and overall, so eight digits cannot be guessed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from aiohttp import web

from bot.keys import CASES, KV, SETTINGS
from bot.web import wecom, wecom_signin
from bot.web.render import error_page, page, see_other, translate
from bot.web.session import Session, csrf_ok
from bot.worker.auth import CONFIG, sessions, set_cookie
from bot.worker.session import COOKIE
from intake import login_codes
from intake.store.models import User

log = logging.getLogger("gridline.worker")
routes = web.RouteTableDef()
STATE_COOKIE, PRE_COOKIE, PATH = "gl_worker_oauth", "gl_worker_pre", "/worker"
FLOW = wecom_signin.Flow("worker", STATE_COOKIE, PATH)
TRIES_PER_IP, TRIES_OVERALL, TRIES_WINDOW_S = 5, 100, 900.0


def safe_next(target: str) -> str:
    ours = target.startswith(f"{PATH}/") and "//" not in target and "\\" not in target
    return target if ours else f"{PATH}/"  # never an open redirect


@routes.get("/login", name="login")
async def login(request: web.Request) -> web.Response:
    target = safe_next(request.query.get("next", ""))
    if await sessions(request).load(request.cookies.get(COOKIE, "")) is not None:
        return see_other(target)  # already signed in: on to the page asked for
    ready = request.config_dict[SETTINGS].wecom.oauth_ready
    if ready and "wxwork" in request.headers.get("User-Agent", "").lower():
        return see_other(request.app.router["login_wecom"].url_for().with_query(next=target))
    return _page(request, target, ready)


def _page(request: web.Request, target: str, ready: bool, error: str | None = None, status: int = 200) -> web.Response:
    token = request.cookies.get(PRE_COOKIE, "")
    token = token if 20 <= len(token) <= 64 else secrets.token_urlsafe(32)
    response = page("login.html", request, {"wecom": ready, "next": target, "csrf": token, "error": error},
                    status=status)
    response.set_cookie(PRE_COOKIE, token, path=PATH, httponly=True, samesite="Lax",
                        secure=request.config_dict[CONFIG].secure_cookies)
    return response


@routes.get("/login/wecom", name="login_wecom")
async def start(request: web.Request) -> web.Response:
    settings = request.config_dict[SETTINGS]
    if not settings.wecom.oauth_ready:  # the sign-in page, saying so: the other ways are there
        return _page(request, safe_next(request.query.get("next", "")), False,
                     translate(request, "Signing in with WeCom is not set up here."))
    return await wecom_signin.redirect(request, FLOW, safe_next(request.query.get("next", "")), wecom.authorize_url,
                                      secure=request.config_dict[CONFIG].secure_cookies)


@routes.get("/login/wecom/back", name="login_wecom_back")
async def back(request: web.Request) -> web.Response:
    back_from = await wecom_signin.returned(request, FLOW)
    if isinstance(back_from, web.Response):
        return back_from
    target, user = back_from
    if user is wecom_signin.Refused.CODE:
        return error_page(request, 403, translate(request, "WeCom could not confirm who you are. "
                                                           "Please open the page again from WeCom."))
    if not isinstance(user, User):
        return error_page(request, 403, translate(request, "Your WeCom account is not linked to a gridline user. "
                                                           "Ask your administrator to add your WeCom user id."))
    log.info("worker sign-in through WeCom", extra={"user_id": user.id})
    response = await _signed_in(request, user.id, target)
    response.del_cookie(STATE_COOKIE, path=PATH)
    return response


@routes.post("/login/code", name="login_code")
async def with_code(request: web.Request) -> web.Response:
    form, ready = await request.post(), request.config_dict[SETTINGS].wecom.oauth_ready
    target = safe_next(str(form.get("next", "")))
    if not csrf_ok(Session("", 0, request.cookies.get(PRE_COOKIE, "") or "-"), form.get("csrf")):
        return error_page(request, 403, translate(request, "This form has expired. Please reload the page."))
    kv, ip = request.config_dict[KV], request.remote or "-"
    per_ip, overall = _tries_key(ip), _tries_key("*")
    if int(await kv.get(per_ip) or 0) >= TRIES_PER_IP or int(await kv.get(overall) or 0) >= TRIES_OVERALL:
        return _page(request, target, ready, translate(request, "Too many wrong codes. Please try again in "
                                                                "15 minutes."), 429)
    user = await login_codes.redeem(str(form.get("code", ""))[:32], request.config_dict[CASES].clock())
    if user is None:
        for key in (per_ip, overall):
            await kv.incr(key, TRIES_WINDOW_S)
        log.warning("worker sign-in code refused", extra={"ip": ip})
        return _page(request, target, ready, translate(request, "This code is wrong, used or expired."), 401)
    log.info("worker sign-in with a one-time code", extra={"user_id": user.id})
    response = await _signed_in(request, user.id, target)
    response.del_cookie(PRE_COOKIE, path=PATH)
    return response


async def _signed_in(request: web.Request, user_id: int, target: str) -> web.Response:
    store = sessions(request)
    if old := request.cookies.get(COOKIE):
        await store.end(old)
    session = await store.start(user_id)
    response = see_other(target)
    set_cookie(response, session.sid, request.config_dict[CONFIG].secure_cookies)
    return response


def _tries_key(who: str) -> str:
    return f"worker:code-tries:{hashlib.sha256(who.encode()).hexdigest()}"
