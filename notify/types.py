"""The outbound port that ``intake`` depends on (types only), and the sender-side contract.

The domain describes *what* should be said to *whom* (:class:`Notification`);
the notify package decides through which channel and when. A channel receives
an :class:`Envelope` (one rendered message for one address) and answers with an
:class:`Attempt` whose :class:`Outcome` says what to do next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who is told: a resident (channel + external id), a worker, a group, a department."""

    kind: str  # "resident" | "worker" | "grid_group" | "department" | "supervisor"
    ref: str
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """One outbound effect the domain asks for.

    ``key`` makes it idempotent: the same key is delivered at most once.
    ``group`` ties messages that can be withdrawn together (``alert:<id>``, ``survey:<case_no>``).
    ``not_before`` holds a message back (survey delay, quiet hours); ``urgent`` ignores quiet hours.
    """

    kind: str  # e.g. "case.accepted", "case.dispatched", "case.overdue", "case.escalated", "alert.issued"
    recipient: Recipient
    key: str
    case_no: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    group: str | None = None
    not_before: datetime | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """What :meth:`Notifier.withdraw` did: who will no longer be told, and who had already been told."""

    stopped: tuple[Recipient, ...] = ()
    reached: tuple[Recipient, ...] = ()


class Notifier(Protocol):
    """Port for outbound effects; implementations must not raise on delivery failure.

    ``publish`` runs inside the caller's database transaction when there is one
    (the transactional outbox): the messages exist exactly when the change that caused them does.
    """

    async def publish(self, notifications: list[Notification]) -> None: ...

    async def withdraw(self, group: str) -> Withdrawn: ...


class ChannelName(StrEnum):
    """Every outbound channel's name, written nowhere else: an outbox row's ``channel``, the key of the
    sender's channels and rate limits, each channel's default ``name``."""

    WECHAT_CS = "wechat_cs"  # 公众号 customer-service message, inside the resident's 48-hour window
    WECHAT_SUBSCRIBE = "wechat_subscribe"  # 公众号 subscribe message (spends a credit)
    MP_SUBSCRIBE = "mp_subscribe"  # mini-program subscribe message (spends a credit)
    WECHAT_TEMPLATE = "wechat_template"  # legacy template message
    WECOM_ROBOT = "wecom_robot"  # a grid's WeCom group chat robot
    WECOM_APP = "wecom_app"  # a WeCom application message to a staff member
    EMAIL = "email"  # departments and supervisors
    # A template SMS (providers send nothing else): residents who reported by phone, hotline or Open311 with a
    # mobile number, and workers whose grid has no WeCom group.
    SMS = "sms_template"
    # Not a sender's channel: the WeChat callback's own reply said it, so the row is written delivered.
    PASSIVE_REPLY = "passive_reply"


SENT_CHANNELS = tuple(c for c in ChannelName if c is not ChannelName.PASSIVE_REPLY)  # what senders deliver


class Outcome(StrEnum):
    """What a channel's answer means for the message."""

    DELIVERED = "delivered"  # the API accepted it
    RETRY = "retry"  # transient (network, 5xx, 45009 rate limit): try again after a backoff
    FALLBACK = "fallback"  # this channel cannot reach the address now (45015 outside 48 h): route again
    STOP = "stop"  # the address cannot be reached at all (43004 unsubscribed): give up, not an error
    DEAD = "dead"  # a permanent error: dead-letter with the code


@dataclass(frozen=True, slots=True)
class Envelope:
    """One rendered message for one address on one channel (an outbox row, as a sender sees it)."""

    id: str
    channel: str  # a ChannelName
    address: str  # openid, WeCom webhook key, WeCom userid, email address
    kind: str
    body: Mapping[str, Any]  # channel-specific rendered content
    key: str  # idempotency key
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at delivering an :class:`Envelope`."""

    outcome: Outcome
    code: int | None = None
    detail: str = ""
    retry_after_s: float | None = None


class Channel(Protocol):
    """Delivers envelopes of one channel name; must not raise: failures are :class:`Attempt` outcomes."""

    @property
    def name(self) -> str: ...

    async def send(self, envelope: Envelope) -> Attempt: ...
