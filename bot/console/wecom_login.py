"""Signing in to the console by scanning WeCom's QR code (企业微信扫码登录).

``/console/login`` offers it when WeCom is set up → ``/console/login/wecom`` → WeCom's QR page
(``login.work.weixin.qq.com/wwlogin/sso/login``, ``login_type=CorpApp``) → the member scans it with the WeCom
app → back at ``/console/login/wecom/back`` with ``code`` and ``state`` → ``getuserinfo`` → the active user
linked to that WeCom id, who must hold a console role. State, code exchange and user lookup are the worker
sign-in's (:mod:`bot.web.wecom_signin`); every success and refusal is in the staff audit log.

The session cookie is ``SameSite=Strict`` and the way back from WeCom is a cross-site navigation, on which a
browser would not send it onwards: the back page is a short "signed in" page that moves on by itself (a
same-site navigation), not a redirect.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console.auth import CONFIG, COOKIE, DESK_ROLES, PATH, sessions, set_cookie
from bot.console.login import form_page, safe_next
from bot.keys import CASES, SETTINGS
from bot.web import wecom, wecom_signin
from bot.web.render import error_page, page, translate
from intake import staff_audit
from intake.store.models import User

log = logging.getLogger("gridline.console")
routes = web.RouteTableDef()
FLOW = wecom_signin.Flow("console", "gl_console_oauth", PATH)


@routes.get("/login/wecom", name="login_wecom")
async def start(request: web.Request) -> web.Response:
    settings = request.config_dict[SETTINGS]
    if not settings.wecom.oauth_ready:
        return form_page(request, translate(request, "Signing in with WeCom is not set up here."))
    return await wecom_signin.redirect(request, FLOW, safe_next(request.query.get("next", "")), wecom.qr_url,
                                      secure=request.config_dict[CONFIG].secure_cookies)


@routes.get("/login/wecom/back", name="login_wecom_back")
async def back(request: web.Request) -> web.Response:
    back_from = await wecom_signin.returned(request, FLOW)
    if isinstance(back_from, web.Response):
        return back_from
    target, user = back_from
    if not isinstance(user, User) or user.role not in DESK_ROLES:
        return await _refused(request, user)
    now, ip = request.config_dict[CASES].clock(), request.remote or "-"
    store = sessions(request)
    if old := request.cookies.get(COOKIE):
        await store.end(old)
    session = await store.start(user.id, request.headers.get("User-Agent", ""))
    log.info("console sign-in through WeCom", extra={"user_id": user.id, "role": user.role, "ip": ip})
    await staff_audit.record("sign_in", now, account=str(user.id), user_id=user.id, actor=f"user:{user.id}", ip=ip,
                             detail="wecom qr")
    response = page("signed_in.html", request, {"next": target})
    set_cookie(response, COOKIE, session.sid, request.config_dict[CONFIG].secure_cookies)
    response.del_cookie(FLOW.cookie, path=PATH)
    return response


async def _refused(request: web.Request, user: User | wecom_signin.Refused) -> web.Response:
    ip, now = request.remote or "-", request.config_dict[CASES].clock()
    if isinstance(user, User):
        why, words = "no console role", "Your account has no console role. Workers use the worker pages."
    elif user is wecom_signin.Refused.UNLINKED:
        why, words = "wecom id not linked", ("Your WeCom account is not linked to a gridline user. "
                                             "Ask your administrator to add your WeCom user id.")
    else:
        why, words = "wecom refused the code", "WeCom could not confirm who you are. Please scan the code again."
    user_id = user.id if isinstance(user, User) else None
    await staff_audit.record("sign_in_failed", now, account=str(user_id or "wecom"), user_id=user_id,
                             actor=f"user:{user_id}" if user_id else "wecom", ip=ip, detail=why)
    response = error_page(request, 403, translate(request, words))
    response.del_cookie(FLOW.cookie, path=PATH)
    return response
