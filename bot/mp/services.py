"""The mini-program's collaborators, built once per app in ``cleanup_ctx``, and the helpers views share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.keys import CASES, KV
from bot.mp.config import MpConfig
from bot.mp.ratelimit import RateLimiter
from bot.mp.session import Resident, Sessions
from bot.storage.tokens import KvTokenStore
from intake.cases.context import CaseContext
from notify.http import Http
from notify.wechat import WeChatClient


@dataclass(frozen=True, slots=True)
class Mp:
    config: MpConfig
    wechat: WeChatClient
    sessions: Sessions
    limiter: RateLimiter


MP_CONFIG = web.AppKey("mp_config", MpConfig)
MP = web.AppKey("mp", Mp)


async def mp_context(app: web.Application) -> AsyncIterator[None]:
    config, kv = app[MP_CONFIG], app[KV]
    http = Http(timeout_s=config.wechat_timeout_s)
    # The token lives where the outbox's senders keep theirs: one token per appid for every process.
    wechat = WeChatClient(http, config.api_base, config.appid or "", config.secret or "", KvTokenStore(kv))
    app[MP] = Mp(config, wechat, Sessions(config, kv), RateLimiter(kv))
    yield
    await http.close()


def mp(request: web.Request) -> Mp:
    return request.config_dict[MP]


def cases(request: web.Request) -> CaseContext:
    return request.config_dict[CASES]


def now(request: web.Request) -> datetime:
    return request.config_dict[CASES].clock()


async def caller(request: web.Request) -> Resident:
    """The resident behind the bearer token (401 otherwise)."""
    return await mp(request).sessions.resident(request, now(request))


def client_ip(request: web.Request) -> str:
    """The peer address, or the last hop of ``X-Forwarded-For`` when our own proxy sets it."""
    if mp(request).config.behind_proxy:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return request.remote or "unknown"
