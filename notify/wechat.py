"""Async clients for the WeChat (公众号 / mini-program) and WeCom server APIs.

Both add the shared access token to each call and, on a token error (40001/42001/40014), refresh it
once and try again; any other answer goes back to the caller as it came. The few calls whose answer
the caller reads (mini-program login and phone number, the 公众号 menu) are methods here too, raising
:class:`ApiError` with WeChat's errcode (-1 when WeChat could not be reached or answered nonsense).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

from notify.http import ApiReply, Blob, Http, TransportError
from notify.outcomes import TOKEN_CODES
from notify.tokens import AccessTokens, TokenStore


class TokenError(TransportError):
    """The token endpoint refused: wrong secret or appid (an ``errcode``), or it could not be reached."""

    def __init__(self, detail: str, errcode: int | None = None) -> None:
        super().__init__(detail)
        self.errcode = errcode


class ApiError(Exception):
    """A non-zero ``errcode`` from a call whose answer the caller reads; -1: unreachable or nonsense."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


@dataclass(frozen=True, slots=True)
class Login:
    """What ``jscode2session`` answers for a mini-program ``wx.login()`` code."""

    openid: str
    session_key: str
    unionid: str | None


async def _answer(call: Awaitable[ApiReply]) -> Mapping[str, Any]:
    """The answer's data, or :class:`ApiError` (a refused token keeps its errcode, e.g. 40125 wrong secret)."""
    try:
        reply = await call
    except TokenError as exc:
        raise ApiError(-1 if exc.errcode is None else exc.errcode, str(exc)) from None
    except TransportError as exc:
        raise ApiError(-1, f"unreachable: {exc}") from None
    if not reply.ok:
        raise ApiError(reply.errcode, reply.errmsg)
    return reply.data


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

    async def get(self, path: str, params: Mapping[str, str]) -> ApiReply:
        """GET ``path`` with the access token (a JSON answer), refreshed once on a token error."""
        token = await self.tokens.get()
        reply = await self.http.call("GET", self.base + path, params={**params, "access_token": token})
        if reply.errcode in TOKEN_CODES:
            token = await self.tokens.refresh(token)
            reply = await self.http.call("GET", self.base + path, params={**params, "access_token": token})
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

    async def code_to_session(self, code: str) -> Login:
        """Mini-program login: the resident behind a ``wx.login()`` code (one use only)."""
        params = {"appid": self.appid, "secret": self._secret, "js_code": code, "grant_type": "authorization_code"}
        data = await _answer(self.http.call("GET", self.base + "/sns/jscode2session", params=params))
        openid, key, unionid = data.get("openid"), data.get("session_key"), data.get("unionid")
        if not isinstance(openid, str) or not openid or len(openid) > 128 or not isinstance(key, str):
            raise ApiError(-1, "jscode2session answered without openid/session_key")
        return Login(openid, key, unionid if isinstance(unionid, str) and unionid else None)

    async def phone_number(self, code: str) -> str:
        """The bound phone number (digits, without country code) for a ``getPhoneNumber`` code."""
        data = await _answer(self.post("/wxa/business/getuserphonenumber", {"code": code}))
        info = data.get("phone_info")
        if not isinstance(info, dict) or not isinstance(info.get("purePhoneNumber"), str):
            raise ApiError(-1, "getuserphonenumber answered without phone_info")
        mark = info.get("watermark")
        if isinstance(mark, dict) and mark.get("appid") not in (None, self.appid):
            raise ApiError(-1, "phone_info belongs to another appid")
        return str(info["purePhoneNumber"])

    async def create_menu(self, menu: Mapping[str, Any]) -> None:
        """公众号 custom menu (自定义菜单), replacing the current one."""
        await _answer(self.post("/cgi-bin/menu/create", menu))


class WeComClient(_TokenedClient):
    """企业微信: one token per (corpid, application secret)."""

    def __init__(self, http: Http, base: str, corpid: str, corpsecret: str, tokens: TokenStore,
                 agent: str = "app") -> None:
        super().__init__(http, base, f"wecom:{corpid}:{agent}", tokens)
        self.corpid, self._secret = corpid, corpsecret

    async def _fetch_token(self, force: bool) -> tuple[str, float]:
        params = {"corpid": self.corpid, "corpsecret": self._secret}
        return _token_from(await self.http.call("GET", self.base + "/cgi-bin/gettoken", params=params))

    async def oauth_user(self, code: str) -> str:
        """企业微信网页授权 (``snsapi_base``): the member's userid behind an OAuth ``code`` (one use, 5 minutes).

        Someone outside the corp gets an ``openid`` instead of a ``userid``: :class:`ApiError` 60011-like
        refusal here (-2), as for a code WeCom refused (40029 invalid code)."""
        data = await _answer(self.get("/cgi-bin/auth/getuserinfo", {"code": code}))
        userid = data.get("userid", data.get("UserId"))
        if not isinstance(userid, str) or not userid or len(userid) > 64:
            raise ApiError(-2, "not a member of the corp (no userid in the answer)")
        return userid
