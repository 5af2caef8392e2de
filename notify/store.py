"""The outbox as a sender sees it: claim a row, record what happened, list what is due.

The database implementation lives with the outbox table (intake/store, written by the integration);
:mod:`notify.store_memory` is the in-process one used by tests and the sandbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from notify.types import Attempt, Envelope


class State(StrEnum):
    """The one vocabulary of outbox rows: what the sender records and the router, the relay and the admin
    views read. Every value but FALLBACK is a row's stored status."""

    PENDING = "pending"  # written with the domain change, not routed or not tried yet
    SENDING = "sending"  # claimed by a sender until its lease ends
    RETRY = "retry"  # failed transiently, due again at next_attempt_at
    DELIVERED = "delivered"
    STOPPED = "stopped"  # the address cannot be reached (unsubscribed, no address): final, not an error
    DEAD = "dead"  # dead letter: permanent error or attempts exhausted; an admin may re-queue it
    HELD = "held"  # the reach router holds it until the resident writes again; senders never see it
    WITHDRAWN = "withdrawn"  # its group was withdrawn (a cancelled alert, a withdrawn case) before it went out
    # Never stored: the sender's word that this channel cannot reach the address now (45015 outside the
    # 48-hour window); the store routes the row again and it is PENDING once more.
    FALLBACK = "fallback"


Enqueue = Callable[[list[str]], Awaitable[object]]  # puts row ids on the queue (the relay's Queue.add)

STORED = tuple(s for s in State if s is not State.FALLBACK)  # what a row's status can be
SENDABLE = frozenset({State.PENDING, State.RETRY})
QUEUED = frozenset({State.PENDING, State.RETRY, State.HELD})  # not out yet and nobody is sending it
FINAL = frozenset({State.DELIVERED, State.STOPPED, State.DEAD, State.WITHDRAWN})


class OutboxStore(Protocol):
    async def claim(self, message_id: str, now: datetime, lease_s: float) -> Envelope | None:
        """Atomically take a PENDING/RETRY row (or a SENDING one whose lease ended) for ``lease_s`` seconds.

        ``None`` for an unknown id, a final or held row, or one another sender holds: the idempotency check.
        """
        ...

    async def record(self, message_id: str, attempt: Attempt, state: State, next_at: datetime | None,
                     now: datetime) -> None:
        """Keep the attempt, count it, and move the row to ``state`` (re-routing it on FALLBACK)."""
        ...

    async def release(self, message_id: str, next_at: datetime) -> None:
        """Give a claimed row back without an attempt (a rate limit would hold it past its lease):
        SENDING → RETRY with next_attempt_at = ``next_at``, lease cleared, attempts unchanged."""
        ...

    async def due(self, now: datetime, limit: int, hold_s: float, enqueue: Enqueue | None = None) -> list[str]:
        """Rows to enqueue, oldest first: PENDING/RETRY due by now (NULL next_attempt_at counts as due), and
        SENDING with an ended lease (its sender died), which goes back to RETRY. Each returned row's
        next_attempt_at becomes ``now + hold_s`` so the next relay tick does not enqueue it again.

        ``enqueue`` is called with the ids before that change is kept: if it fails, or the process dies
        first, the rows stay due rather than waiting out ``hold_s`` with no queue entry. The rows are
        marked as handed to the queue (their lease_until is the hold's end) for :meth:`requeue_held`."""
        ...

    async def requeue_held(self, now: datetime) -> int:
        """The queue lost its entries (``Queue.lost``): every PENDING/RETRY row ``due`` handed to it and
        nobody has claimed since is due again at ``now``; how many. A retry waiting out its backoff is not
        one of them (its lease_until is cleared when the attempt is recorded)."""
        ...
