"""Outbound calls to WeChat's server API for the mini-program: login and phone number.

One ``aiohttp.ClientSession`` for the app's lifetime (created in the factory's
``cleanup_ctx``). WeChat answers errors with HTTP 200 and an ``errcode``; they
become :class:`WeChatError` here and HTTP statuses in the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.mp.config import MpConfig
from bot.storage.base import KeyValueStore

TOKEN_KEY = "mp:access-token"
INVALID_TOKEN = frozenset({40001, 42001, 40014})


class WeChatError(Exception):
    """A non-zero ``errcode`` (or ``-1`` when WeChat could not be reached or answered nonsense)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


@dataclass(frozen=True, slots=True)
class Login:
    openid: str
    session_key: str
    unionid: str | None


class MpWeChat:
    def __init__(self, config: MpConfig, http: aiohttp.ClientSession, kv: KeyValueStore) -> None:
        self._config, self._http, self._kv = config, http, kv

    async def code_to_session(self, code: str) -> Login:
        params = {"appid": self._config.appid or "", "secret": self._config.secret or "", "js_code": code,
                  "grant_type": "authorization_code"}
        answer = await self._call("GET", "/sns/jscode2session", params=params)
        openid, key = answer.get("openid"), answer.get("session_key")
        if not isinstance(openid, str) or not openid or not isinstance(key, str) or len(openid) > 128:
            raise WeChatError(-1, "jscode2session answered without openid/session_key")
        unionid = answer.get("unionid")
        return Login(openid, key, unionid if isinstance(unionid, str) and unionid else None)

    async def phone_number(self, code: str) -> str:
        """The bound phone number (digits, without country code) for a ``getPhoneNumber`` code."""
        for attempt in (0, 1):
            token = await self._access_token(fresh=attempt == 1)
            try:
                answer = await self._call("POST", "/wxa/business/getuserphonenumber",
                                          params={"access_token": token}, json={"code": code})
            except WeChatError as exc:
                if exc.errcode in INVALID_TOKEN and attempt == 0:
                    continue  # another process refreshed the token: fetch a new one once
                raise
            info = answer.get("phone_info")
            if not isinstance(info, dict) or not isinstance(info.get("purePhoneNumber"), str):
                raise WeChatError(-1, "getuserphonenumber answered without phone_info")
            mark = info.get("watermark")
            if isinstance(mark, dict) and mark.get("appid") not in (None, self._config.appid):
                raise WeChatError(-1, "phone_info belongs to another appid")
            return str(info["purePhoneNumber"])
        raise AssertionError("unreachable")

    async def _access_token(self, fresh: bool) -> str:
        cached = None if fresh else await self._kv.get(TOKEN_KEY)
        if cached:
            return cached
        params = {"grant_type": "client_credential", "appid": self._config.appid or "",
                  "secret": self._config.secret or ""}
        answer = await self._call("GET", "/cgi-bin/token", params=params)
        token, expires = answer.get("access_token"), answer.get("expires_in", 7200)
        if not isinstance(token, str) or not isinstance(expires, int):
            raise WeChatError(-1, "cgi-bin/token answered without access_token")
        # Shared through the key-value store: WeChat invalidates the old token whenever any process asks anew.
        await self._kv.set(TOKEN_KEY, token, ttl_seconds=max(60, expires - 300))
        return token

    async def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        url = self._config.api_base.rstrip("/") + path
        try:
            async with self._http.request(method, url, **kw) as resp:
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeChatError(-1, f"unreachable or not JSON: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise WeChatError(-1, "not a JSON object")
        code = answer.get("errcode", 0)
        if code:
            raise WeChatError(int(code) if isinstance(code, int) else -1, str(answer.get("errmsg", "")))
        return answer
