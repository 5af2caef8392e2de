"""The outbox's section of the settings: the queue, the sender, the channels' credentials, message links.

It lives with the outbox, not in ``bot.sections``, so the outbox needs nothing from ``bot``.
Secrets stay ``SecretStr`` until the channel that uses them is built.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Kind = Literal["live", "sandbox", "blackhole"]  # blackhole: staging, every message dropped


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ApiAccount(_Frozen):
    """A WeChat account's API credentials (the 公众号 or the mini-program)."""

    api_base: str
    appid: str
    secret: SecretStr


class WeComAccount(_Frozen):
    """An enterprise WeChat application that messages staff."""

    api_base: str
    corp_id: str
    secret: SecretStr
    agent_id: int


class OutboxConfig(_Frozen):
    kind: Kind = "sandbox"
    redis_url: SecretStr | None = None  # None: an in-process queue; the URL may carry a password
    stream: str = "gridline:outbox"
    in_process: bool = True  # run the relay and sender inside the web app
    concurrency: int = 32
    max_attempts: int = 8
    rates: dict[str, float] = Field(default_factory=dict)  # channel → messages per second
    public_url: str = "http://127.0.0.1:8080"  # links in messages point here
    subscribe_template_id: str | None = None
    digest_hour: int = 8  # local hour of the daily digests
    wecom_api_base: str = "https://qyapi.weixin.qq.com"  # the group robots' webhooks
    wechat: ApiAccount | None = None
    mp: ApiAccount | None = None
    wecom: WeComAccount | None = None
    smtp_url: SecretStr | None = None
