"""The pages' WeCom API client (``getuserinfo`` for the worker's web OAuth and the console's QR sign-in), made
on first use, closed with the app (it lives on the root app, so both sub-apps reach it).

It goes through notify's one HTTP client and WeCom access-token handling (:class:`notify.wechat.WeComClient`);
the token is cached in Redis when the app has it, so every process (and the sender) shares it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

from aiohttp import web
from redis.asyncio import Redis

from bot.keys import SETTINGS
from bot.sections import WeComSection
from notify.http import Http
from notify.tokens import MemoryTokenStore, RedisTokenStore, TokenStore
from notify.wechat import WeComClient


class WeComLogin:
    def __init__(self) -> None:
        self._client: WeComClient | None = None
        self._http: Http | None = None
        self._redis: Redis | None = None

    def client(self, section: WeComSection, redis_url: str | None) -> WeComClient:
        if self._client is None:
            assert section.corp_id and section.secret
            self._http = Http(timeout_s=5.0)
            self._redis = Redis.from_url(redis_url) if redis_url else None
            tokens: TokenStore = RedisTokenStore(self._redis) if self._redis is not None else MemoryTokenStore()
            self._client = WeComClient(self._http, section.api_base, section.corp_id,
                                       section.secret.get_secret_value(), tokens)
        return self._client

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._redis is not None:
            await self._redis.aclose()


WECOM = web.AppKey("pages_wecom", WeComLogin)


def client(request: web.Request) -> WeComClient:
    settings = request.config_dict[SETTINGS]
    return request.config_dict[WECOM].client(settings.wecom, settings.redis_url)


async def lifetime(app: web.Application) -> AsyncIterator[None]:
    app[WECOM] = WeComLogin()
    yield
    await app[WECOM].close()


def authorize_url(section: WeComSection, redirect_uri: str, state: str) -> str:
    """WeCom's authorize page (snsapi_base: silent, no consent screen); WeCom sends the member back to
    ``redirect_uri`` with ``code`` and ``state``. The URL must end in ``#wechat_redirect``."""
    query = urlencode({"appid": section.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                       "scope": "snsapi_base", "state": state, "agentid": str(section.agent_id)})
    return f"{section.oauth_base.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def qr_url(section: WeComSection, redirect_uri: str, state: str) -> str:
    """WeCom's QR sign-in page for a browser (企业微信扫码登录, ``login_type=CorpApp``): the member scans it with
    the WeCom app and WeCom sends the browser back to ``redirect_uri`` with ``code`` and ``state``."""
    query = urlencode({"login_type": "CorpApp", "appid": section.corp_id, "agentid": str(section.agent_id),
                       "redirect_uri": redirect_uri, "state": state})
    return f"{section.qr_base.rstrip('/')}/wwlogin/sso/login?{query}"
