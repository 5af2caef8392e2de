"""What became of messages, by key, in words a person trying the service understands (for ``/sandbox``).

A message is *created* when the domain publishes it; whether it reached anyone is the outbox
row's state. This reads that state and the reason behind it (the reach router's decision or
the last error), so a simulator can show what was delivered, what is held and until when,
and what was stopped and why, instead of everything that was ever created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import State
from notify.types import ChannelName

MAX_KEYS = 1000


class Shown(StrEnum):
    """The few states a person needs, folded from the row's stored ``State``."""

    DELIVERED = "delivered"
    SCHEDULED = "scheduled"  # not_before in the future: quiet hours, a survey's delay, an alert's release
    HELD = "held"  # the reach router holds it (outside WeChat's 48-hour window, no subscribe credit)
    QUEUED = "queued"  # due, being routed or sent, or retried after a transient error
    STOPPED = "stopped"  # no way to reach the recipient (no group, unsubscribed): final
    FAILED = "failed"  # dead letter
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"  # not in the outbox (an app without one)


@dataclass(frozen=True, slots=True)
class Delivery:
    shown: Shown
    reason: str = ""  # the router's or the channel's own words, for the curious
    until: datetime | None = None  # when a scheduled message is due
    at: datetime | None = None  # when it was delivered
    channel: str = ""
    text: str | None = None  # what a customer-service message actually said


async def deliveries(keys: Sequence[str], now: datetime) -> dict[str, Delivery]:
    """The delivery of each key found in the outbox (at most ``MAX_KEYS``, the last ones)."""
    wanted = list(dict.fromkeys(keys))[-MAX_KEYS:]
    if not wanted:
        return {}
    rows = await OutboxMessage.filter(key__in=wanted)
    routes = await _route_details([r.id for r in rows if r.status in (State.STOPPED, State.HELD)])
    return {r.key: _delivery(r, routes.get(r.id, ""), now) for r in rows}


async def _route_details(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    found: dict[int, str] = {}
    for a in await OutboxAttempt.filter(message_id__in=ids, what="route").order_by("id"):
        found[a.message_id] = a.detail  # the latest decision wins
    return found


def _delivery(row: OutboxMessage, route: str, now: datetime) -> Delivery:
    status, channel = row.status, row.channel or ""
    if status == State.DELIVERED:
        return Delivery(Shown.DELIVERED, at=row.updated_at, channel=channel, text=_text(row.body))
    if status in (State.PENDING, State.RETRY) and row.attempts == 0 and channel == "" and row.next_attempt_at > now:
        return Delivery(Shown.SCHEDULED, until=row.next_attempt_at)
    if status == State.HELD:
        return Delivery(Shown.HELD, reason=route)
    if status == State.STOPPED:
        return Delivery(Shown.STOPPED, reason=route or row.last_error or "")
    if status == State.DEAD:
        return Delivery(Shown.FAILED, reason=row.last_error or "", channel=channel)
    if status == State.WITHDRAWN:
        return Delivery(Shown.WITHDRAWN)
    return Delivery(Shown.QUEUED, reason=row.last_error or "", channel=channel)


def _text(body: dict[str, Any] | None) -> str | None:
    """The words of a customer-service text, as WeChat received them (other bodies are cards)."""
    inner = (body or {}).get("text")
    content = inner.get("content") if isinstance(inner, dict) else None
    return content if isinstance(content, str) else None


PASSIVE = ChannelName.PASSIVE_REPLY  # delivered as the callback's own answer: already in the chat
