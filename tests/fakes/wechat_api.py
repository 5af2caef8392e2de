"""A local fake of WeChat's server API, speaking its real JSON and error codes.

Started by tests (and later benchmarks) on a loopback port; records every call.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeWeChat:
    appid: str = "wxfake0000000001"
    secret: str = "fake-secret-0123456789abcdef0123"
    tokens: set[str] = field(default_factory=set)
    menus: list[dict[str, Any]] = field(default_factory=list)
    # Mini-program login: wx.login() codes waiting to be exchanged, code -> (openid, unionid).
    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)  # openid -> the last session_key handed out
    phone_codes: dict[str, str] = field(default_factory=dict)  # getPhoneNumber code -> phone number
    fail_next: list[int] = field(default_factory=list)  # errcodes answered, in order, before anything else
    calls: list[str] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/menu/create", self.menu_create)
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/wxa/business/getuserphonenumber", self.phone_number)
        return app

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
        q = request.query
        if q.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if q.get("appid") != self.appid:
            return _err(40013, "invalid appid")
        if q.get("secret") != self.secret:
            return _err(40125, "invalid appsecret")
        token = secrets.token_urlsafe(48)
        self.tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

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
