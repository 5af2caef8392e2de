"""Signing staff in through WeCom, shared by the worker pages (web OAuth) and the console (QR scan, 扫码登录).

Both end alike: WeCom sends the browser back with ``code`` and ``state``. The ``state`` is random, kept in the
store with where to go next and in a cookie of this browser (``SameSite=Lax``: WeCom's redirect back is a
cross-site navigation), so a code can only finish the sign-in this browser began, and only once. The code
becomes the member's userid through ``getuserinfo`` (notify's WeCom client, :mod:`bot.web.wecom`), and the
userid the active gridline user linked to it; which roles may then sign in is the caller's to say.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from aiohttp import web

from bot.keys import KV, SETTINGS
from bot.sections import WeComSection
from bot.web import wecom
from bot.web.render import error_page, see_other, translate
from intake.store.models import User
from notify.wechat import ApiError

log = logging.getLogger("gridline.signin")
STATE_TTL_S = 600.0
MAX_CODE, MAX_STATE = 512, 64


@dataclass(frozen=True, slots=True)
class Flow:
    """One page family's WeCom sign-in: its store namespace, state cookie and cookie path."""

    namespace: str
    cookie: str
    path: str


class Refused(Enum):
    CODE = "code"  # WeCom refused the code (invalid, used, expired) or named an outsider
    UNLINKED = "unlinked"  # a member no active gridline user is linked to


async def begin(request: web.Request, flow: Flow, target: str) -> str:
    """A new state remembering ``target``; :func:`remember` sets its cookie on the redirect to WeCom."""
    state = secrets.token_urlsafe(24)
    await request.config_dict[KV].set(_key(flow, state), target, STATE_TTL_S)
    return state


async def redirect(request: web.Request, flow: Flow, target: str,
                   wecom_page: Callable[[WeComSection, str, str], str], *, secure: bool) -> web.Response:
    """Begin a sign-in and send the browser to ``wecom_page`` (the authorize page, or the QR page), which
    sends it back to this page family's ``/login/wecom/back``."""
    settings = request.config_dict[SETTINGS]
    state = await begin(request, flow, target)
    back = f"{settings.public_url.rstrip('/')}{flow.path}/login/wecom/back"
    response = see_other(wecom_page(settings.wecom, back, state))
    remember(response, flow, state, secure=secure)
    return response


def remember(response: web.StreamResponse, flow: Flow, state: str, *, secure: bool) -> None:
    response.set_cookie(flow.cookie, state, path=flow.path, httponly=True, samesite="Lax",
                        max_age=int(STATE_TTL_S), secure=secure)


async def finish(request: web.Request, flow: Flow) -> tuple[str, str] | None:
    """``(target, code)`` when the back request carries this browser's own unexpired state (used up now)."""
    state, code, kv = request.query.get("state", ""), request.query.get("code", ""), request.config_dict[KV]
    target = await kv.get(_key(flow, state)) if 0 < len(state) <= MAX_STATE else None
    cookie = request.cookies.get(flow.cookie, "")
    if target is None or not secrets.compare_digest(cookie.encode(), state.encode()) or not 0 < len(code) <= MAX_CODE:
        return None
    await kv.delete(_key(flow, state))  # one use
    return target, code


async def returned(request: web.Request, flow: Flow) -> tuple[str, User | Refused] | web.Response:
    """Back from WeCom: where to go and the member (or why not), or the 403 page for a sign-in this browser
    did not begin or that expired."""
    began = await finish(request, flow)
    if began is None:
        return error_page(request, 403, translate(request, "This sign-in has expired. Please open the page again."))
    target, code = began
    return target, await member(request, code)


async def member(request: web.Request, code: str) -> User | Refused:
    """The active user WeCom's ``code`` names, or why not (logged; never the code)."""
    try:
        userid = await wecom.client(request).oauth_user(code)
    except ApiError as exc:
        log.warning("WeCom sign-in refused", extra={"errcode": exc.errcode, "path": request.path})
        return Refused.CODE
    user = await User.get_or_none(wecom_userid=userid, active=True)
    if user is None:
        log.warning("WeCom sign-in: no active user with this WeCom id", extra={"wecom_userid": userid})
        return Refused.UNLINKED
    return user


def _key(flow: Flow, state: str) -> str:
    return f"{flow.namespace}:oauth:{hashlib.sha256(state.encode()).hexdigest()}"
