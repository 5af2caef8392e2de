"""A local fake of WeChat's and WeCom's server APIs, speaking their real JSON and error codes.

Started by tests on a loopback port, or standalone for benchmarks and crash tests in another process::

    python -m tests.fakes.wechat_api --port 8901 --limit custom_send=200 --robot KEY --latency 0.005

Records every delivery (``gate.deliveries``; ``GET /_fake/stats`` and ``/_fake/deliveries`` when standalone);
rate limits, scripted failures and latency per API name (``gate.limit`` / ``gate.fail`` / ``gate.latency_s``,
or ``POST /_fake/config``). API names: token, stable_token, wecom_gettoken, custom_send, bizsend,
subscribe_send, template_send, media_get, webhook_send, wecom_send.
WeCom web OAuth: ``/connect/oauth2/authorize`` (as the client answers it for ``oauth_member``) and
``/cgi-bin/auth/getuserinfo`` (40014 / 42001 token, 40029 invalid or reused code). WeCom QR sign-in
(企业微信扫码登录): ``/wwlogin/sso/login`` (``login_type=CorpApp``), scanned by ``oauth_member``.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from yarl import URL

from tests.fakes.fake_gate import FakeDelivery, Gate
from tests.fakes.wechat_send import SendApis, body_of

__all__ = ["FakeDelivery", "FakeWeChat", "Gate"]


@dataclass
class FakeWeChat(SendApis):
    appid: str = "wxfake0000000001"
    secret: str = "fake-secret-0123456789abcdef0123"
    tokens: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)  # answered 42001
    token_invalidates: bool = False  # /cgi-bin/token drops the tokens it handed out before (as WeChat does)
    stable: tuple[str, float] | None = None  # the current stable_token and when it expires
    token_calls: Counter[str] = field(default_factory=Counter)  # token / stable_token / stable_token_force / wecom
    gate: Gate = field(default_factory=Gate)
    unsubscribed: set[str] = field(default_factory=set)  # openids answered 43004
    outside_window: set[str] = field(default_factory=set)  # openids answered 45015 by custom_send
    no_credit: set[str] = field(default_factory=set)  # openids answered 43101 by subscribe sends
    templates: set[str] | None = None  # known template ids (None: any)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    corpid: str = "wwfake00000000001"
    corpsecret: str = "fake-corp-secret-0123456789abcdefghijklmnop"
    agentid: int = 1000002
    wecom_tokens: set[str] = field(default_factory=set)
    wecom_users: set[str] | None = None  # known WeCom userids (None: any)
    robot_keys: set[str] = field(default_factory=set)
    menus: list[dict[str, Any]] = field(default_factory=list)
    # Mini-program login: wx.login() codes waiting to be exchanged, code -> (openid, unionid).
    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)  # openid -> the last session_key handed out
    phone_codes: dict[str, str] = field(default_factory=dict)  # getPhoneNumber code -> phone number
    # WeCom web OAuth: the member signed in to the WeCom client that opens the authorize URL (None: an
    # outsider, who gets an openid), and the codes handed out, code -> userid or None.
    oauth_member: str | None = None
    oauth_codes: dict[str, str | None] = field(default_factory=dict)
    fail_next: list[int] = field(default_factory=list)  # errcodes answered, in order, before anything else
    calls: list[str] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/menu/create", self.menu_create)
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/wxa/business/getuserphonenumber", self.phone_number)
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_get("/cgi-bin/gettoken", self.wecom_gettoken)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self.wecom_getuserinfo)
        app.router.add_get("/connect/oauth2/authorize", self.wecom_authorize)
        app.router.add_get("/wwlogin/sso/login", self.wecom_qr_login)
        self.add_send_routes(app)
        app.router.add_get("/_fake/stats", self.fake_stats)
        app.router.add_get("/_fake/deliveries", self.fake_deliveries)
        app.router.add_post("/_fake/config", self.fake_config)
        return app

    @property
    def deliveries(self) -> list[FakeDelivery]:
        return self.gate.deliveries

    def delivered(self, api: str | None = None, to: str | None = None) -> list[FakeDelivery]:
        return self.gate.delivered(api, to)

    def expire_tokens(self) -> None:
        """Every token handed out so far now answers 42001 (as after its 7200 s)."""
        self.expired |= self.tokens | self.wecom_tokens
        self.tokens.clear()
        self.wecom_tokens.clear()
        self.stable = None

    def login_code(self, openid: str, unionid: str | None = None) -> str:
        """What ``wx.login()`` gives the mini-program: a one-time code for this user."""
        code = secrets.token_hex(16)
        self.codes[code] = (openid, unionid)
        return code

    def phone_code(self, phone: str) -> str:
        """What a ``getPhoneNumber`` button's event carries."""
        code = secrets.token_hex(16)
        self.phone_codes[code] = phone
        return code

    async def jscode2session(self, request: web.Request) -> web.Response:
        self.calls.append("jscode2session")
        q = request.query
        if self.fail_next:
            return _err(self.fail_next.pop(0), "injected failure")
        if q.get("appid") != self.appid:
            return _err(40013, "invalid appid")
        if q.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        if q.get("grant_type") != "authorization_code":
            return _err(40002, "invalid grant_type")
        code = q.get("js_code", "")
        if code in self.used_codes:
            return _err(40163, "code been used")
        if code not in self.codes:
            return _err(40029, "invalid code")
        self.used_codes.add(code)
        openid, unionid = self.codes.pop(code)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.sessions[openid] = key
        answer: dict[str, Any] = {"openid": openid, "session_key": key}
        if unionid:
            answer["unionid"] = unionid
        return web.json_response(answer)

    async def phone_number(self, request: web.Request) -> web.Response:
        self.calls.append("getuserphonenumber")
        if self.fail_next:
            return _err(self.fail_next.pop(0), "injected failure")
        if request.query.get("access_token") not in self.tokens:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        try:
            code = json.loads(await request.text()).get("code")
        except (ValueError, AttributeError):
            return _err(47001, "data format error")
        phone = self.phone_codes.pop(code, None) if isinstance(code, str) else None
        if phone is None:
            return _err(40029, "invalid code")
        info = {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": self.appid}}
        return web.json_response({"errcode": 0, "errmsg": "ok", "phone_info": info})

    async def token(self, request: web.Request) -> web.Response:
        self.token_calls["token"] += 1
        if (gated := await self.gate.enter("token")) is not None:
            return gated
        q = request.query
        if q.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if q.get("appid") != self.appid:
            return _err(40013, "invalid appid")
        if q.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        token = secrets.token_urlsafe(48)
        if self.token_invalidates:
            self.tokens -= {t for t in self.tokens if self.stable is None or t != self.stable[0]}
        self.tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def stable_token(self, request: web.Request) -> web.Response:
        """The stable token: the same one until it expires, unless ``force_refresh`` (which replaces it)."""
        body = await body_of(request)
        force = bool(body and body.get("force_refresh") is True)
        self.token_calls["stable_token_force" if force else "stable_token"] += 1
        if (gated := await self.gate.enter("stable_token")) is not None:
            return gated
        if body is None or body.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if body.get("appid") != self.appid:
            return _err(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        now = time.monotonic()
        if self.stable is None or self.stable[1] <= now or force:
            if self.stable is not None:
                self.tokens.discard(self.stable[0])
            self.stable = (secrets.token_urlsafe(48), now + 7200)
            self.tokens.add(self.stable[0])
        return web.json_response({"access_token": self.stable[0], "expires_in": int(self.stable[1] - now)})

    async def wecom_gettoken(self, request: web.Request) -> web.Response:
        self.token_calls["wecom"] += 1
        if (gated := await self.gate.enter("wecom_gettoken")) is not None:
            return gated
        if request.query.get("corpid") != self.corpid:
            return _err(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.corpsecret:
            return _err(40001, "invalid secret")
        token = secrets.token_urlsafe(48)
        self.wecom_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def oauth_code(self, userid: str | None) -> str:
        """What WeCom appends to the redirect after its authorize page: a one-time code for this member."""
        code = secrets.token_urlsafe(24)
        self.oauth_codes[code] = userid
        return code

    async def wecom_authorize(self, request: web.Request) -> web.Response:
        """open.weixin.qq.com's authorize page, as the WeCom client answers it for ``oauth_member``: straight
        back to ``redirect_uri`` with ``code`` and ``state`` (snsapi_base asks the member nothing)."""
        self.calls.append("wecom_authorize")
        q = request.query
        if q.get("appid") != self.corpid or q.get("response_type") != "code" or q.get("scope") != "snsapi_base":
            return web.Response(status=400, text="参数错误")  # WeCom shows an error page, no redirect
        if q.get("agentid") not in (None, str(self.agentid)):
            return web.Response(status=400, text="agentid 错误")
        target = URL(q.get("redirect_uri", ""))
        if not target.is_absolute():
            return web.Response(status=400, text="redirect_uri 错误")
        code = self.oauth_code(self.oauth_member)
        raise web.HTTPFound(target.update_query(code=code, state=q.get("state", "")))

    async def wecom_qr_login(self, request: web.Request) -> web.Response:
        """login.work.weixin.qq.com's QR page, as if ``oauth_member`` scanned it and confirmed in the WeCom app:
        back to ``redirect_uri`` with ``code`` and ``state``. A self-built app's login needs its agentid."""
        self.calls.append("wecom_qr_login")
        q = request.query
        if q.get("login_type") != "CorpApp" or q.get("appid") != self.corpid:
            return web.Response(status=400, text="参数错误")  # WeCom shows an error page, no redirect
        if q.get("agentid") != str(self.agentid):
            return web.Response(status=400, text="agentid 错误")
        target = URL(q.get("redirect_uri", ""))
        if not target.is_absolute():
            return web.Response(status=400, text="redirect_uri 错误")
        code = self.oauth_code(self.oauth_member)
        raise web.HTTPFound(target.update_query(code=code, state=q.get("state", "")))

    async def wecom_getuserinfo(self, request: web.Request) -> web.Response:
        """``/cgi-bin/auth/getuserinfo``: a member's userid (and a user_ticket), or an outsider's openid."""
        self.calls.append("wecom_getuserinfo")
        token = request.query.get("access_token", "")
        if token in self.expired:
            return _err(42001, "access_token expired")
        if token not in self.wecom_tokens:
            return _err(40014, "invalid access_token")
        if self.fail_next:
            return _err(self.fail_next.pop(0), "injected failure")
        code = request.query.get("code", "")
        if code not in self.oauth_codes:
            return _err(40029, "invalid code")
        userid = self.oauth_codes.pop(code)  # one use: a second exchange answers 40029
        if userid is None:
            return web.json_response({"errcode": 0, "errmsg": "ok", "openid": "o" + secrets.token_hex(12),
                                      "external_userid": "wm" + secrets.token_hex(12)})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": userid,
                                  "user_ticket": secrets.token_urlsafe(32), "expires_in": 1800})

    async def fake_stats(self, request: web.Request) -> web.Response:
        return web.json_response({**self.gate.stats(), "token_calls": dict(self.token_calls)})

    async def fake_deliveries(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0") or 0)
        rows = [{"api": d.api, "to": d.to, "msgid": d.msgid, "payload": d.payload, "at": d.at}
                for d in self.gate.deliveries[since:]]
        return web.json_response({"count": len(self.gate.deliveries), "deliveries": rows})

    async def fake_config(self, request: web.Request) -> web.Response:
        """``{"limits": {"custom_send": [100, 10]}, "latency_s": {"*": 0.01}, "fail": {"bizsend": [45009]},
        "robot_keys": [...], "unsubscribed": [...], "outside_window": [...], "no_credit": [...], "reset": true}``"""
        body = await body_of(request) or {}
        if body.get("reset"):
            self.gate.deliveries.clear()
            self.gate.answers.clear()
        for api, limit in (body.get("limits") or {}).items():
            per_s, burst = (limit, None) if isinstance(limit, int | float) else (limit[0], limit[1])
            self.gate.limit(api, float(per_s), burst)
        self.gate.latency_s.update(body.get("latency_s") or {})
        for api, codes in (body.get("fail") or {}).items():
            self.gate.fail(api, *codes)
        for name in ("robot_keys", "unsubscribed", "outside_window", "no_credit"):
            getattr(self, name).update(body.get(name) or [])
        return web.json_response({"ok": True})

    async def menu_create(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self.tokens:
            return _err(40001, "invalid credential, access_token is invalid or not latest")
        try:
            menu = json.loads(await request.text())
        except ValueError:
            return _err(40016, "invalid button size")
        if not isinstance(menu, dict) or not 1 <= len(menu.get("button", [])) <= 3:
            return _err(40016, "invalid button size")
        self.menus.append(menu)
        return _err(0, "ok")


def _err(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": message})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake WeChat + WeCom API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument("--limit", action="append", default=[], metavar="API=PER_S[/BURST]")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    parser.add_argument("--robot", action="append", default=[], metavar="KEY", help="a valid webhook key")
    args = parser.parse_args(argv)
    fake = FakeWeChat()
    for spec in args.limit:
        api, _, rate = spec.partition("=")
        per_s, _, burst = rate.partition("/")
        fake.gate.limit(api, float(per_s), float(burst) if burst else None)
    fake.gate.latency_s["*"] = args.latency
    fake.robot_keys.update(args.robot)
    print(f"fake WeChat API on http://{args.host}:{args.port} appid={fake.appid}", flush=True)
    web.run_app(fake.app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
