"""WeCom channels: the group robot webhook (a grid's group chat) and application messages."""

from __future__ import annotations

from notify.channels.base import attempt_of, bad_body, payload
from notify.http import Http
from notify.types import Attempt, ChannelName, Envelope
from notify.wechat import WeComClient

ROBOT_TYPES = frozenset({"text", "markdown", "template_card", "news", "image"})
MARKDOWN_MAX_BYTES = 4096  # the robot refuses longer markdown content


class WeComRobotChannel:
    """``/cgi-bin/webhook/send?key=…``: the address is the webhook key, no access token."""

    def __init__(self, http: Http, base: str, name: str = ChannelName.WECOM_ROBOT) -> None:
        self._http, self._url, self._name = http, base.rstrip("/") + "/cgi-bin/webhook/send", name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, ("msgtype",))
        if isinstance(body, str):
            return bad_body(body)
        kind = body["msgtype"]
        if kind not in ROBOT_TYPES or not isinstance(body.get(kind), dict):
            return bad_body(f"msgtype {kind!r}")
        if kind == "markdown" and len(str(body[kind].get("content", "")).encode()) > MARKDOWN_MAX_BYTES:
            return bad_body(f"markdown over {MARKDOWN_MAX_BYTES} bytes")
        if not envelope.address or not envelope.address.replace("-", "").isalnum():
            return bad_body("webhook key")
        return await attempt_of(self._http.call("POST", self._url, params={"key": envelope.address}, json=body))


class WeComAppChannel:
    """``/cgi-bin/message/send``: an application message to WeCom users (``user1|user2``)."""

    def __init__(self, client: WeComClient, agentid: int, name: str = ChannelName.WECOM_APP) -> None:
        self._client, self._agentid, self._name = client, agentid, name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        body = payload(envelope.body, ("msgtype",))
        if isinstance(body, str):
            return bad_body(body)
        body.update(touser=envelope.address, agentid=self._agentid)
        return await attempt_of(self._client.post("/cgi-bin/message/send", body))
