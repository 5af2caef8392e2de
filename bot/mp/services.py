"""The mini-program's collaborators, built once per app in ``cleanup_ctx``, and the helpers views share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from aiohttp import web

from bot.keys import CASES, KV
from bot.mp.config import MpConfig
from bot.mp.ratelimit import RateLimiter
from bot.mp.session import Resident, Sessions
from bot.mp.wechat import MpWeChat
from intake.cases.context import CaseContext


@dataclass(frozen=True, slots=True)
class Mp:
    config: MpConfig
    wechat: MpWeChat
    sessions: Sessions
    limiter: RateLimiter


MP_CONFIG = web.AppKey("mp_config", MpConfig)
MP = web.AppKey("mp", Mp)


async def mp_context(app: web.Application) -> AsyncIterator[None]:
    config = app[MP_CONFIG]
    timeout = aiohttp.ClientTimeout(total=config.wechat_timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        kv = app[KV]
        app[MP] = Mp(config, MpWeChat(config, http, kv), Sessions(config, kv), RateLimiter(kv))
        yield


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
