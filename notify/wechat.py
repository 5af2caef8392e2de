"""Async clients for the WeChat (公众号 / mini-program) and WeCom server APIs.

Both add the shared access token to each call and, on a token error (40001/42001/40014), refresh it
once and try again; any other answer goes back to the caller as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify.http import ApiReply, Blob, Http, TransportError
from notify.outcomes import TOKEN_CODES
from notify.tokens import AccessTokens, TokenStore


class TokenError(TransportError):
    """The token endpoint refused: wrong secret or appid (an ``errcode``), or it could not be reached."""

    def __init__(self, detail: str, errcode: int | None = None) -> None:
        super().__init__(detail)
        self.errcode = errcode


class _TokenedClient:
    def __init__(self, http: Http, base: str, key: str, tokens: TokenStore) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.tokens = AccessTokens(tokens, key, self._fetch_token)

    async def _fetch_token(self, force: bool) -> tuple[str, float]:
        raise NotImplementedError

    async def access_token(self) -> str:
        return await self.tokens.get()

    async def post(self, path: str, payload: Mapping[str, Any]) -> ApiReply:
        """POST JSON to ``path`` with the access token; raises :class:`TransportError` on network failure."""
        token = await self.tokens.get()
        reply = await self.http.call("POST", self.base + path, params={"access_token": token}, json=payload)
        if reply.errcode in TOKEN_CODES:
            token = await self.tokens.refresh(token)
            reply = await self.http.call("POST", self.base + path, params={"access_token": token}, json=payload)
        return reply

    async def fetch(self, path: str, params: Mapping[str, str]) -> Blob | ApiReply:
        token = await self.tokens.get()
        result = await self.http.fetch(self.base + path, params={**params, "access_token": token})
        if isinstance(result, ApiReply) and result.errcode in TOKEN_CODES:
            token = await self.tokens.refresh(token)
            result = await self.http.fetch(self.base + path, params={**params, "access_token": token})
        return result


def _token_from(reply: ApiReply) -> tuple[str, float]:
    token, expires = reply.data.get("access_token"), reply.data.get("expires_in", 7200)
    if not reply.ok or not isinstance(token, str) or not token:
        raise TokenError(f"token refused: {reply.errcode} {reply.errmsg}"[:300], reply.errcode)
    return token, float(expires) if isinstance(expires, int | float) else 7200.0


class WeChatClient(_TokenedClient):
    """公众号 or mini-program: ``stable`` uses ``/cgi-bin/stable_token``, whose token survives other fetches."""

    def __init__(self, http: Http, base: str, appid: str, secret: str, tokens: TokenStore,
                 stable: bool = True) -> None:
        super().__init__(http, base, f"wechat:{appid}", tokens)
        self.appid, self._secret, self._stable = appid, secret, stable

    async def _fetch_token(self, force: bool) -> tuple[str, float]:
        if self._stable:
            body = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret,
                    "force_refresh": force}
            return _token_from(await self.http.call("POST", self.base + "/cgi-bin/stable_token", json=body))
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret}
        return _token_from(await self.http.call("GET", self.base + "/cgi-bin/token", params=params))


class WeComClient(_TokenedClient):
    """企业微信: one token per (corpid, application secret)."""

    def __init__(self, http: Http, base: str, corpid: str, corpsecret: str, tokens: TokenStore,
                 agent: str = "app") -> None:
        super().__init__(http, base, f"wecom:{corpid}:{agent}", tokens)
        self.corpid, self._secret = corpid, corpsecret

    async def _fetch_token(self, force: bool) -> tuple[str, float]:
        params = {"corpid": self.corpid, "corpsecret": self._secret}
        return _token_from(await self.http.call("GET", self.base + "/cgi-bin/gettoken", params=params))
