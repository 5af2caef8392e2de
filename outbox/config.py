"""What the relay and the sender need to know, as one typed value the app (or ``gridline sender``) builds
from its settings: the outbox reads no environment and knows nothing of ``bot.settings``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from notify.sms import Provider, SmsAccount
from notify.types import SENT_CHANNELS

Kind = Literal["live", "sandbox", "blackhole"]


@dataclass(frozen=True)
class Account:
    """One WeChat account (公众号 or mini-program) or WeCom corp: the secret stays wrapped until a client uses it."""

    api_base: str
    appid: str
    secret: SecretStr


@dataclass(frozen=True)
class Upstream:
    """The upstream city platform's Open311 GeoReport v2 endpoint (``base`` ends before ``requests.json``)."""

    base: str
    api_key: SecretStr
    jurisdiction_id: str | None = None


@dataclass(frozen=True)
class Webhook:
    """A webhook subscriber's URL and signing secret (which events it hears is the domain's policy)."""

    url: str
    secret: SecretStr


@dataclass(frozen=True)
class SmsSetup:
    """The SMS provider account and the approved template that tells a resident how their report goes
    (two parameters: the case number and the step in a few words)."""

    provider: Provider
    secret_id: str
    secret_key: SecretStr
    sign_name: str
    template_id: str
    staff_template_id: str | None = None  # a worker's notice when their grid has no WeCom group
    app_id: str = ""
    region: str = "ap-guangzhou"
    api_base: str = ""
    survey_template_id: str | None = None  # the 回访 question to callers ({1} case number), answered by uplink

    def account(self) -> SmsAccount:
        return SmsAccount(self.provider, self.secret_id, self.secret_key.get_secret_value(), self.sign_name,
                          self.app_id, self.region, self.api_base)


@dataclass(frozen=True)
class OutboxConfig:
    """``kind``: live (the APIs), sandbox (recorded in-process) or blackhole (staging: accepted, dropped)."""

    kind: Kind = "live"
    public_url: str = "http://127.0.0.1:8080"
    subscribe_template_id: str | None = None
    redis_url: str | None = field(default=None, repr=False)  # may carry a password
    stream: str = "gridline:outbox"
    # messages per second by "channel", "channel:*" (one bucket per address) or "channel:address"
    rates: Mapping[str, float] = field(default_factory=dict)
    concurrency: int = 32
    max_attempts: int = 8
    wecom_api_base: str = "https://qyapi.weixin.qq.com"  # group robots need no credentials
    wechat: Account | None = None
    mp: Account | None = None
    wecom: Account | None = None
    wecom_agent_id: int | None = None
    smtp_url: SecretStr | None = None
    sms: SmsSetup | None = None
    photo_link_key: bytes | None = field(default=None, repr=False)  # links to handled photos (None: text only)
    in_process: bool = True  # the web app runs the relay and sender itself (else ``gridline sender`` does)
    digest_hour: int = 8  # local (Asia/Shanghai) hour of the daily digests
    upstream: Upstream | None = None
    webhooks: Mapping[str, Webhook] = field(default_factory=dict)  # by subscriber name
    witness_file: Path | None = None  # the audit checkpoints' append-only file (notify.channels.witness)

    def __post_init__(self) -> None:
        check_rates(self.rates)


def check_rates(rates: Mapping[str, float]) -> None:
    """Keys are ``channel``, ``channel:*`` (a bucket per address) or ``channel:address``, as the sender reads
    them. A misspelt channel would otherwise leave the real one unlimited without a word."""
    unknown = sorted(key for key in rates if key.partition(":")[0] not in SENT_CHANNELS)
    if unknown:
        raise ValueError(f"outbound rates for unknown channels {', '.join(unknown)}; "
                         f"the channels are {', '.join(SENT_CHANNELS)}")
