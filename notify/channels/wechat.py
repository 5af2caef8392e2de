"""WeChat channels: customer-service message, subscribe message (公众号 and mini-program), template message."""

from __future__ import annotations

from typing import ClassVar, Literal

from notify.channels.base import attempt_of, bad_body, payload
from notify.types import Attempt, Envelope
from notify.wechat import WeChatClient

CS_TYPES = frozenset({"text", "news", "image", "link", "miniprogrampage"})


class WeChatCsChannel:
    """``/cgi-bin/message/custom/send``: free text, only within 48 h of the resident's last message (else 45015)."""

    def __init__(self, client: WeChatClient, name: str = "wechat_cs") -> None:
        self._client, self._name = client, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, ("msgtype",))
        if isinstance(body, str):
            return bad_body(body)
        if body["msgtype"] not in CS_TYPES or body["msgtype"] not in body:
            return bad_body(f"msgtype {body['msgtype']!r}")
        body["touser"] = envelope.address
        return await attempt_of(self._client.post("/cgi-bin/message/custom/send", body))


class WeChatSubscribeChannel:
    """A subscribe message: 公众号 ``bizsend`` or the mini-program's ``subscribe/send`` (spends one credit)."""

    PATHS: ClassVar[dict[str, str]] = {"bizsend": "/cgi-bin/message/subscribe/bizsend",
                                       "mp": "/cgi-bin/message/subscribe/send"}

    def __init__(self, client: WeChatClient, name: str = "wechat_subscribe",
                 api: Literal["bizsend", "mp"] = "bizsend") -> None:
        self._client, self._name, self._path = client, name, self.PATHS[api]

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, ("template_id", "data"))
        if isinstance(body, str):
            return bad_body(body)
        body["touser"] = envelope.address
        return await attempt_of(self._client.post(self._path, body))


class WeChatTemplateChannel:
    """``/cgi-bin/message/template/send`` (legacy accounts that still have template messages)."""

    def __init__(self, client: WeChatClient, name: str = "wechat_template") -> None:
        self._client, self._name = client, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, ("template_id", "data"))
        if isinstance(body, str):
            return bad_body(body)
        body["touser"] = envelope.address
        return await attempt_of(self._client.post("/cgi-bin/message/template/send", body))
