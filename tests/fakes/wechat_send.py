"""The fake's sending endpoints (WeChat and WeCom), mixed into :class:`tests.fakes.wechat_api.FakeWeChat`.

Request checks and answers follow the real APIs: ``touser`` / ``template_id`` / ``data`` required,
43004 for an unsubscribed user, 45015 outside the 48-hour window, 43101 without a subscribe credit,
93000 for an unknown robot webhook key, 45009 over a configured rate.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from aiohttp import web

from tests.fakes.fake_gate import Gate, err

OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CS_TYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard", "miniprogrampage"}
ROBOT_TYPES = {"text", "markdown", "image", "news", "file", "template_card"}


async def body_of(request: web.Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class SendApis:
    gate: Gate
    tokens: set[str]
    expired: set[str]
    wecom_tokens: set[str]
    unsubscribed: set[str]
    outside_window: set[str]
    no_credit: set[str]
    templates: set[str] | None
    media: dict[str, tuple[bytes, str]]
    robot_keys: set[str]
    agentid: int
    wecom_users: set[str] | None

    def add_send_routes(self, app: web.Application) -> None:
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_post("/cgi-bin/message/subscribe/bizsend", self.bizsend)
        app.router.add_post("/cgi-bin/message/subscribe/send", self.subscribe_send)
        app.router.add_post("/cgi-bin/message/template/send", self.template_send)
        app.router.add_get("/cgi-bin/media/get", self.media_get)
        app.router.add_post("/cgi-bin/webhook/send", self.webhook_send)
        app.router.add_post("/cgi-bin/message/send", self.wecom_send)

    def token_error(self, request: web.Request, valid: set[str], api: str = "token") -> web.Response | None:
        token = request.query.get("access_token", "")
        if token in self.expired:
            return self.gate.refuse(api, 42001, "access_token expired")
        if token not in valid:
            return self.gate.refuse(api, 40001, "invalid credential, access_token is invalid or not latest")
        return None

    async def _common(self, api: str, request: web.Request, valid: set[str]) -> dict[str, Any] | web.Response:
        """Token, JSON and touser checks shared by the WeChat sends; the parsed body when all pass."""
        if (bad := self.token_error(request, valid, api)) is not None:
            return bad
        body = await body_of(request)
        if body is None:
            return self.gate.refuse(api, 47001, "data format error")
        to = body.get("touser")
        if not isinstance(to, str) or not OPENID.match(to):
            return self.gate.refuse(api, 40003, "invalid openid")
        if (gated := await self.gate.enter(api, to)) is not None:
            return gated
        if to in self.unsubscribed:
            return self.gate.refuse(api, 43004, "require subscribe")
        return body

    def _template_checks(self, api: str, body: dict[str, Any]) -> web.Response | None:
        template = body.get("template_id")
        if not isinstance(template, str) or not template:
            return self.gate.refuse(api, 40037, "invalid template_id")
        if self.templates is not None and template not in self.templates:
            return self.gate.refuse(api, 40037, "invalid template_id")
        if not isinstance(body.get("data"), dict):
            return self.gate.refuse(api, 47003, "argument invalid! data is empty")
        return None

    async def custom_send(self, request: web.Request) -> web.Response:
        body = await self._common("custom_send", request, self.tokens)
        if isinstance(body, web.Response):
            return body
        kind = body.get("msgtype")
        if kind not in CS_TYPES or not isinstance(body.get(kind), dict):
            return self.gate.refuse("custom_send", 40008, "invalid message type")
        if kind == "text" and not str(body["text"].get("content", "")).strip():
            return self.gate.refuse("custom_send", 44004, "empty content")
        if body["touser"] in self.outside_window:
            return self.gate.refuse("custom_send", 45015, "response out of time limit or subscription is canceled")
        self.gate.record("custom_send", body["touser"], body)
        return err(0, "ok")

    async def _subscribe(self, api: str, request: web.Request) -> web.Response:
        body = await self._common(api, request, self.tokens)
        if isinstance(body, web.Response):
            return body
        if (bad := self._template_checks(api, body)) is not None:
            return bad
        if body["touser"] in self.no_credit:
            return self.gate.refuse(api, 43101, "user refuse to accept the msg")
        msgid = self.gate.record(api, body["touser"], body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": int(msgid)})

    async def bizsend(self, request: web.Request) -> web.Response:
        return await self._subscribe("bizsend", request)

    async def subscribe_send(self, request: web.Request) -> web.Response:
        return await self._subscribe("subscribe_send", request)

    async def template_send(self, request: web.Request) -> web.Response:
        body = await self._common("template_send", request, self.tokens)
        if isinstance(body, web.Response):
            return body
        if (bad := self._template_checks("template_send", body)) is not None:
            return bad
        msgid = self.gate.record("template_send", body["touser"], body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": int(msgid)})

    async def media_get(self, request: web.Request) -> web.Response:
        if (bad := self.token_error(request, self.tokens, "media_get")) is not None:
            return bad
        if (gated := await self.gate.enter("media_get")) is not None:
            return gated
        found = self.media.get(request.query.get("media_id", ""))
        if found is None:
            return self.gate.refuse("media_get", 40007, "invalid media_id")
        data, kind = found
        return web.Response(body=data, content_type=kind,
                            headers={"Content-disposition": f'attachment; filename="{request.query["media_id"]}"'})

    def add_media(self, data: bytes, content_type: str = "image/jpeg") -> str:
        media_id = secrets.token_urlsafe(48)
        self.media[media_id] = (data, content_type)
        return media_id

    def robot_key(self) -> str:
        key = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        self.robot_keys.add(key)
        return key

    async def webhook_send(self, request: web.Request) -> web.Response:
        key = request.query.get("key", "")
        if key not in self.robot_keys:
            return self.gate.refuse("webhook_send", 93000, "invalid webhook url")
        body = await body_of(request)
        if body is None:
            return self.gate.refuse("webhook_send", 40035, "invalid parameter")
        if (gated := await self.gate.enter("webhook_send", key)) is not None:
            return gated
        kind = body.get("msgtype")
        if kind not in ROBOT_TYPES or not isinstance(body.get(kind), dict):
            return self.gate.refuse("webhook_send", 40008, "invalid message type")
        content = body[kind].get("content", "x") if kind in ("text", "markdown") else "x"
        if not str(content).strip():
            return self.gate.refuse("webhook_send", 44004, "empty content")
        if len(str(content).encode()) > 4096:
            return self.gate.refuse("webhook_send", 40058, "markdown.content exceed max length 4096")
        self.gate.record("webhook_send", key, body)
        return err(0, "ok")

    async def wecom_send(self, request: web.Request) -> web.Response:
        if (bad := self.token_error(request, self.wecom_tokens, "wecom_send")) is not None:
            return bad
        body = await body_of(request)
        if body is None:
            return self.gate.refuse("wecom_send", 40035, "invalid parameter")
        to = str(body.get("touser", ""))
        if (gated := await self.gate.enter("wecom_send", to)) is not None:
            return gated
        if body.get("agentid") != self.agentid:
            return self.gate.refuse("wecom_send", 40056, "invalid agentid")
        users = [u for u in to.split("|") if u]
        valid = [u for u in users if self.wecom_users is None or u in self.wecom_users]
        if not valid:
            return self.gate.refuse("wecom_send", 81013, "user & party & tag all invalid")
        msgid = self.gate.record("wecom_send", "|".join(valid), body)
        invalid = "|".join(u for u in users if u not in valid)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": invalid, "msgid": msgid})
