"""The database outbox behind ``notify.store.OutboxStore``: claim, record, due — plus routing and release.

``claim`` is one conditional ``UPDATE … RETURNING``: a row is sent by one sender
at a time and never after it was delivered, which is what keeps a restarted
sender from sending twice what it had finished.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from intake.store import db
from intake.store.models import Resident, SubscriptionCredit
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.store import Enqueue, State
from notify.types import Attempt, Envelope
from outbox.router import ReachRouter, Route

log = logging.getLogger("gridline.outbound")
ROUTE_BATCH = 500
CREDIT_CHECK_S = 30.0  # how often held messages are matched against new subscribe credits
_CLAIM = ("UPDATE outbox SET status = 'sending', lease_until = ?, updated_at = ? WHERE id = ? AND channel <> '' "
          "AND (status IN ('pending', 'retry') OR (status = 'sending' AND lease_until < ?)) "
          "RETURNING id, channel, address, kind, body, key, attempts")


# Parameters: status, fallback (0/1) three times, last_error, last_code, now, next_attempt_at (NULL keeps it), id.
_SET = ("status = ?, channel = CASE WHEN ? = 1 THEN '' ELSE channel END, "
        "address = CASE WHEN ? = 1 THEN NULL ELSE address END, body = CASE WHEN ? = 1 THEN NULL ELSE body END, "
        "attempts = attempts + 1, last_error = ?, last_code = ?, updated_at = ?, lease_until = NULL, "
        "next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ? AND status = 'sending'")
_UPDATE = "UPDATE outbox SET " + _SET
_ATTEMPT = ("INSERT INTO outbox_attempts (message_id, what, channel, outcome, code, detail, at) "
            "SELECT id, 'attempt', channel, ?, ?, ?, ? FROM outbox WHERE id = ?")
# One round trip: the CTE's SELECT sees the row as it was, so the attempt names the channel it went through.
_RECORD_PG = ("WITH updated AS (UPDATE outbox SET status = $1, channel = CASE WHEN $2 = 1 THEN '' ELSE channel END, "
              "address = CASE WHEN $2 = 1 THEN NULL ELSE address END, body = CASE WHEN $2 = 1 THEN NULL ELSE body END, "
              "attempts = attempts + 1, last_error = $3, last_code = $4, updated_at = $5, lease_until = NULL, "
              "next_attempt_at = COALESCE($6, next_attempt_at) WHERE id = $7 AND status = 'sending' RETURNING id) "
              "INSERT INTO outbox_attempts (message_id, what, channel, outcome, code, detail, at) "
              "SELECT id, 'attempt', channel, $8, $4, $9, $5 FROM outbox WHERE id = $7")


def _db_time(value: datetime) -> Any:
    return db.db_value(OutboxMessage, "updated_at", value)


class DbOutboxStore:
    def __init__(self, router: ReachRouter) -> None:
        self.router = router
        self._credits_checked = -1e18

    async def claim(self, message_id: str, now: datetime, lease_s: float) -> Envelope | None:
        if not (message_id.isascii() and message_id.isdigit()):
            return None
        until = _db_time(now + timedelta(seconds=lease_s))
        rows = await db.fetch(_CLAIM, [until, _db_time(now), int(message_id), _db_time(now)])
        if not rows:
            return None
        row = rows[0]
        body = row["body"]
        body = json.loads(body) if isinstance(body, (str, bytes)) else body
        return Envelope(id=str(row["id"]), channel=row["channel"], address=row["address"] or "", kind=row["kind"],
                        body=body or {}, key=row["key"], attempts=int(row["attempts"]))

    async def record(self, message_id: str, attempt: Attempt, state: State, next_at: datetime | None,
                     now: datetime) -> None:
        """The attempt row and the row's new state together: one statement on PostgreSQL (the hot path of
        every delivery), two in a transaction on SQLite. A row no longer SENDING (withdrawn, re-queued
        meanwhile) keeps its status; the attempt is on record either way."""
        error = None if state is State.DELIVERED else f"{attempt.code or ''} {attempt.detail}".strip()[:2000]
        fallback = state is State.FALLBACK  # route it again: the router sees this refusal and picks another way
        new_status = State.PENDING if fallback else str(state)
        when = _db_time(now)
        next_value = _db_time(now) if fallback else (_db_time(next_at) if next_at else None)
        detail, flag = attempt.detail[:2000], int(fallback)
        if db.dialect() != "sqlite":
            await db.fetch(_RECORD_PG, [new_status, flag, error, attempt.code, when, next_value, int(message_id),
                                        str(state), detail])
            return
        async with in_transaction():
            await db.fetch(_ATTEMPT, [str(state), attempt.code, detail, when, int(message_id)])
            await db.fetch(_UPDATE, [new_status, flag, flag, flag, error, attempt.code, when, next_value,
                                     int(message_id)])

    async def release(self, message_id: str, next_at: datetime) -> None:
        """A claimed row given back untried (its rate limit would outlast the lease): due again at ``next_at``."""
        if message_id.isascii() and message_id.isdigit():
            await OutboxMessage.filter(id=int(message_id), status=State.SENDING).update(
                status=State.RETRY, next_attempt_at=next_at, lease_until=None)

    async def due(self, now: datetime, limit: int, hold_s: float, enqueue: Enqueue | None = None) -> list[str]:
        if time.monotonic() - self._credits_checked > CREDIT_CHECK_S:
            self._credits_checked = time.monotonic()
            await release_credited(now)
        routed = 0
        while routed < limit:  # route as many as this call may hand out, a transaction per batch
            n = await self.route_pending(now, min(limit - routed, ROUTE_BATCH))
            routed += n
            if n < ROUTE_BATCH:
                break
        hold = now + timedelta(seconds=hold_s)
        async with in_transaction():
            ready = await OutboxMessage.filter(status__in=[State.PENDING, State.RETRY], next_attempt_at__lte=now) \
                .exclude(channel="").order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True)
            stale = await OutboxMessage.filter(status=State.SENDING, lease_until__lt=now).order_by("lease_until") \
                .limit(max(0, limit - len(ready))).values_list("id", flat=True)
            # lease_until on a PENDING/RETRY row: handed to the queue until then (requeue_held finds it by that).
            if ready:
                await OutboxMessage.filter(id__in=list(ready)).update(next_attempt_at=hold, lease_until=hold)
            if stale:  # its sender died mid-send: the queue's copy is reclaimed or the relay re-adds it
                await OutboxMessage.filter(id__in=list(stale), status=State.SENDING).update(
                    status=State.RETRY, next_attempt_at=hold, lease_until=hold)
            ids = [str(i) for i in (*ready, *stale)]
            if enqueue is not None and ids:
                # Inside the transaction: a relay killed before the rows are on the queue leaves them
                # due (rolled back), not held for hold_s with no queue entry (seen: 1,000 stuck 10 min).
                await enqueue(ids)
        return ids

    async def requeue_held(self, now: datetime) -> int:
        """Rows handed to a queue that lost its entries (Redis came back empty): due now, not after the hold."""
        n = await OutboxMessage.filter(status__in=[State.PENDING, State.RETRY], lease_until__isnull=False) \
            .exclude(channel="").update(next_attempt_at=now, lease_until=None)
        return int(n)

    async def route_pending(self, now: datetime, limit: int = ROUTE_BATCH, only: list[int] | None = None) -> int:
        """Pick a channel for unrouted due rows (or hold or stop them), a batch in one transaction.

        The rows are locked (``SKIP LOCKED``: two relays split the work instead of routing a row twice), so a
        subscribe credit spent on a row commits exactly with that row's route.
        """
        async with in_transaction():
            query = OutboxMessage.filter(status=State.PENDING, channel="", next_attempt_at__lte=now)
            if only is not None:
                query = query.filter(id__in=only)
            rows = await query.order_by("next_attempt_at", "id").limit(limit).select_for_update(skip_locked=True)
            if not rows:
                return 0
            attempts = []
            for row in rows:
                route = await self._route(row, now)
                row.status, row.channel, row.address, row.body = route.status, route.channel, route.address, route.body
                row.updated_at = now
                attempts.append(OutboxAttempt(message_id=row.id, what="route", channel=route.channel,
                                              outcome=route.decision, detail=route.detail[:2000], at=now))
            await OutboxMessage.bulk_update(rows, fields=["status", "channel", "address", "body", "updated_at"])
            await OutboxAttempt.bulk_create(attempts)
            await _hint_held(rows)
        return len(rows)

    async def _route(self, row: OutboxMessage, now: datetime) -> Route:
        try:
            return await self.router.route(row, now)
        except Exception as exc:  # one bad row must not stop the batch: it becomes a dead letter, on record
            log.exception("routing message %s failed", row.id)
            return Route(State.DEAD, "error", detail=f"routing failed: {type(exc).__name__}: {exc}")

async def _hint_held(rows: Sequence[OutboxMessage]) -> None:
    """Mark residents something is held for, so that their next message releases it (see release_held)."""
    held: dict[str, set[str]] = {}
    for row in rows:
        if row.status == State.HELD and row.recipient_kind == "resident":
            held.setdefault(row.recipient_channel or "", set()).add(row.recipient_ref)
    for channel, refs in held.items():
        await Resident.filter(channel=channel, external_id__in=sorted(refs)).update(outbox_held=True)


async def release_held(channel: str, external_id: str, now: datetime) -> int:
    """The resident wrote: held messages are routed again (the 48-hour window is open now)."""
    # The hint goes first: a message held after this read sets it again for their next message.
    await Resident.filter(channel=channel, external_id=external_id, outbox_held=True).update(outbox_held=False)
    held = OutboxMessage.filter(recipient_kind="resident", recipient_channel=channel,
                                recipient_ref=external_id, status=State.HELD)
    return await _release(await held.values_list("id", flat=True), now, "the resident wrote")


async def release_credited(now: datetime) -> int:
    """Held messages whose resident has allowed a subscribe message since (the mini-program records it)."""
    credited = Subquery(SubscriptionCredit.filter(credits__gt=0).values("openid"))
    ids = list(await OutboxMessage.filter(status=State.HELD, recipient_kind="resident",
                                          recipient_ref__in=credited).values_list("id", flat=True))
    return await _release(ids, now, "a subscribe credit")


async def _release(ids: Sequence[Any], now: datetime, why: str) -> int:
    """Held messages back to routing, each release on record."""
    if not ids:
        return 0
    async with in_transaction():
        n = await OutboxMessage.filter(id__in=ids, status=State.HELD).update(
            status=State.PENDING, channel="", next_attempt_at=now, updated_at=now)
        await OutboxAttempt.bulk_create([OutboxAttempt(message_id=i, what="route", channel="", outcome="release",
                                                       detail=why, at=now) for i in ids])
    return int(n)


async def requeue(message_id: int, actor: str, now: datetime) -> bool:
    """A dead letter goes back to routing with a fresh attempt budget; False unless it was dead."""
    async with in_transaction():
        n = await OutboxMessage.filter(id=message_id, status=State.DEAD).update(
            status=State.PENDING, channel="", address=None, body=None, attempts=0, next_attempt_at=now,
            updated_at=now)
        if n:
            await OutboxAttempt.create(message_id=message_id, what="route", channel="", outcome="requeued",
                                       detail=f"by {actor}"[:2000], at=now)
    return bool(n)

