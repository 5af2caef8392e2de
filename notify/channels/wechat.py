"""WeChat channels: customer-service message, subscribe message (公众号 and mini-program), template message."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from notify.channels.base import attempt_of, bad_body, payload
from notify.types import Attempt, ChannelName, Envelope
from notify.wechat import WeChatClient

CS_TYPES = frozenset({"text", "news", "image", "link", "miniprogrampage"})


class _ToUser:
    """A WeChat send API whose body names the resident in ``touser`` (the envelope's address)."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("template_id", "data")

    def __init__(self, client: WeChatClient, name: str, path: str) -> None:
        self._client, self._name, self._path = client, name, path

    @property
    def name(self) -> str:
        return self._name

    def _invalid(self, body: dict[str, Any]) -> str | None:
        return None

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, self.REQUIRED)
        if isinstance(body, str):
            return bad_body(body)
        if (problem := self._invalid(body)) is not None:
            return bad_body(problem)
        body["touser"] = envelope.address
        return await attempt_of(self._client.post(self._path, body))


class WeChatCsChannel(_ToUser):
    """``/cgi-bin/message/custom/send``: free text, only within 48 h of the resident's last message (else 45015)."""

    REQUIRED = ("msgtype",)

    def __init__(self, client: WeChatClient, name: str = ChannelName.WECHAT_CS) -> None:
        super().__init__(client, name, "/cgi-bin/message/custom/send")

    def _invalid(self, body: dict[str, Any]) -> str | None:
        kind = body["msgtype"]
        return None if kind in CS_TYPES and kind in body else f"msgtype {kind!r}"


class WeChatSubscribeChannel(_ToUser):
    """A subscribe message: 公众号 ``bizsend`` or the mini-program's ``subscribe/send`` (spends one credit)."""

    PATHS: ClassVar[dict[str, str]] = {"bizsend": "/cgi-bin/message/subscribe/bizsend",
                                       "mp": "/cgi-bin/message/subscribe/send"}

    def __init__(self, client: WeChatClient, name: str = ChannelName.WECHAT_SUBSCRIBE,
                 api: Literal["bizsend", "mp"] = "bizsend") -> None:
        super().__init__(client, name, self.PATHS[api])


class WeChatTemplateChannel(_ToUser):
    """``/cgi-bin/message/template/send`` (legacy accounts that still have template messages)."""

    def __init__(self, client: WeChatClient, name: str = ChannelName.WECHAT_TEMPLATE) -> None:
        super().__init__(client, name, "/cgi-bin/message/template/send")
