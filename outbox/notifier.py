"""The transactional outbox as the domain's ``Notifier``: ``publish`` writes rows, senders do the rest.

``publish`` runs inside the caller's transaction (Tortoise hands queries the
transaction's connection through a context variable), so a rolled-back change
leaves no message. Rows start unrouted (``channel = ''``): the relay's reach
router picks the channel when the message is due, not when the change happens.

A message to the resident whose WeChat callback is being answered right now is
answered by that callback's own reply (the dialogue says what happened): it is
written as delivered on the ``passive_reply`` channel instead of being sent again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from intake.cases.context import Clock, utc_now
from intake.store import db
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import QUEUED, State
from notify.types import ChannelName, Notification, Notifier, Recipient, Withdrawn

# (channel, external id) of the resident whose callback is being answered in this task.
REPLYING: ContextVar[tuple[str, str] | None] = ContextVar("gridline_replying", default=None)
MAX_KEY, MAX_REF, MAX_GROUP = 200, 128, 64


@contextlib.contextmanager
def replying_to(channel: str, external_id: str) -> Iterator[None]:
    """Messages published for this resident while the block runs are answered by the reply itself."""
    token = REPLYING.set((channel, external_id))
    try:
        yield
    finally:
        REPLYING.reset(token)


class OutboxNotifier:
    """Writes one outbox row per notification; ``mirror`` (the sandbox's recorder) sees them too."""

    def __init__(self, clock: Clock = utc_now, mirror: Notifier | None = None) -> None:
        self._clock = clock
        self._mirror = mirror

    async def publish(self, notifications: list[Notification]) -> None:
        if not notifications:
            return
        now = self._clock()
        unique = list({n.key: n for n in notifications}.values())
        replying = REPLYING.get()
        by_reply = [n for n in unique if _answered_by_reply(n, replying)]
        rows = [_values(n, now) for n in unique if n not in by_reply]
        async with in_transaction():  # joins the caller's transaction when there is one
            if rows:
                # Plain rows, not ORM objects: building a model instance cost more than its INSERT
                # (an alert to 100,000 residents is 100,000 rows here).
                await db.execute_many(_INSERT, rows)
            for item in by_reply:
                await _write_replied(item, now)
        if self._mirror is not None:
            await self._mirror.publish(unique)

    async def withdraw(self, group: str) -> Withdrawn:
        """Queued messages of ``group`` are withdrawn; those delivered (or being sent) count as reached."""
        now = self._clock()
        async with in_transaction():
            rows = await OutboxMessage.filter(group=group[:MAX_GROUP]).select_for_update()
            stopped = [r for r in rows if r.status in QUEUED]
            reached = [r for r in rows if r.status in (State.DELIVERED, State.SENDING)]
            if stopped:
                await OutboxMessage.filter(id__in=[r.id for r in stopped]).update(
                    status=State.WITHDRAWN, updated_at=now)
                await OutboxAttempt.bulk_create([OutboxAttempt(message_id=r.id, what="route", channel=r.channel,
                                                               outcome=State.WITHDRAWN, detail=f"group {group}", at=now)
                                                 for r in stopped])
        return Withdrawn(stopped=tuple(_recipient(r) for r in stopped), reached=tuple(_recipient(r) for r in reached))


def _answered_by_reply(n: Notification, replying: tuple[str, str] | None) -> bool:
    r = n.recipient
    return replying is not None and r.kind == "resident" and (r.channel, r.ref) == replying and n.not_before is None


_COLUMNS = ("key", "kind", "recipient_kind", "recipient_ref", "recipient_channel", "channel", "payload", "status",
            "attempts", "next_attempt_at", "group", "case_no", "urgent", "created_at", "updated_at")
_INSERT = (f"INSERT INTO outbox ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in _COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in _COLUMNS)}) ON CONFLICT (key) DO NOTHING")


def _values(n: Notification, now: datetime) -> list[Any]:
    """One pending row in ``_COLUMNS`` order, each value as the driver wants it."""
    fields = _fields(n, now, State.PENDING)
    return [db.db_value(OutboxMessage, c, fields[c]) for c in _COLUMNS]


def _row(n: Notification, now: datetime, status: str) -> OutboxMessage:
    return OutboxMessage(**_fields(n, now, status))


def _fields(n: Notification, now: datetime, status: str) -> dict[str, Any]:
    r = n.recipient
    return {"key": n.key[:MAX_KEY], "kind": n.kind[:40], "recipient_kind": r.kind[:16],
            "recipient_ref": r.ref[:MAX_REF], "recipient_channel": r.channel[:32] if r.channel else None,
            "channel": "", "payload": dict(n.payload), "status": status, "attempts": 0,
            "next_attempt_at": n.not_before or now, "group": n.group[:MAX_GROUP] if n.group else None,
            "case_no": n.case_no, "urgent": n.urgent, "created_at": n.created_at or now, "updated_at": now}


async def _write_replied(n: Notification, now: datetime) -> None:
    row = _row(n, now, State.DELIVERED)
    row.channel = ChannelName.PASSIVE_REPLY
    row.address = n.recipient.ref[:200]
    existing = await OutboxMessage.get_or_none(key=row.key)
    if existing is not None:
        return
    await row.save()
    await OutboxAttempt.create(message_id=row.id, what="route", channel=ChannelName.PASSIVE_REPLY, outcome="reply",
                               detail="answered in the callback's own reply", at=now)


def _recipient(row: OutboxMessage) -> Recipient:
    return Recipient(row.recipient_kind, row.recipient_ref, row.recipient_channel)
