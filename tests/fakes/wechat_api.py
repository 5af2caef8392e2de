"""A local fake of WeChat's server API, speaking its real JSON and error codes.

Started by tests (and later benchmarks) on a loopback port; records every call.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeWeChat:
    appid: str = "wxfake0000000001"
    secret: str = "fake-secret-0123456789abcdef0123"
    tokens: set[str] = field(default_factory=set)
    menus: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/menu/create", self.menu_create)
        return app

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
