"""An in-process outbox store with the same semantics as the database one (tests, sandbox, no-DB runs)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notify.store import SENDABLE, Enqueue, State
from notify.types import Attempt, Envelope

Reroute = Callable[[Envelope, Attempt], Envelope | None]


@dataclass
class Row:
    envelope: Envelope
    state: State = State.PENDING
    next_at: datetime | None = None
    lease_until: datetime | None = None
    attempts: list[tuple[datetime, Attempt]] = field(default_factory=list)
    seq: int = 0


class MemoryOutboxStore:
    def __init__(self, reroute: Reroute | None = None) -> None:
        self.rows: dict[str, Row] = {}
        self._keys: set[str] = set()
        self._reroute = reroute

    def add(self, envelope: Envelope, not_before: datetime | None = None) -> bool:
        """Insert a row; a second row with the same idempotency key is ignored (returns False)."""
        if envelope.key in self._keys:
            return False
        self._keys.add(envelope.key)
        self.rows[envelope.id] = Row(envelope, next_at=not_before, seq=len(self.rows))
        return True

    def row(self, message_id: str) -> Row:
        return self.rows[message_id]

    def by_state(self, state: State) -> list[Row]:
        return [r for r in self.rows.values() if r.state is state]

    async def claim(self, message_id: str, now: datetime, lease_s: float) -> Envelope | None:
        row = self.rows.get(message_id)
        if row is None:
            return None
        leased_out = row.state is State.SENDING and row.lease_until is not None and row.lease_until < now
        if row.state not in SENDABLE and not leased_out:
            return None
        row.state, row.lease_until = State.SENDING, now + timedelta(seconds=lease_s)
        return dataclasses.replace(row.envelope, attempts=len(row.attempts))

    async def record(self, message_id: str, attempt: Attempt, state: State, next_at: datetime | None,
                     now: datetime) -> None:
        row = self.rows[message_id]
        row.attempts.append((now, attempt))
        row.state, row.lease_until = state, None
        row.next_at = next_at if state is State.RETRY else None
        if state is State.FALLBACK and self._reroute is not None:
            other = self._reroute(row.envelope, attempt)
            if other is not None:
                self.add(other)

    async def release(self, message_id: str, next_at: datetime) -> None:
        row = self.rows[message_id]
        if row.state is State.SENDING:
            row.state, row.lease_until, row.next_at = State.RETRY, None, next_at

    async def due(self, now: datetime, limit: int, hold_s: float, enqueue: Enqueue | None = None) -> list[str]:
        hold = now + timedelta(seconds=hold_s)
        found: list[Row] = []
        for row in sorted(self.rows.values(), key=lambda r: r.seq):
            if len(found) >= limit:
                break
            sendable = row.state in SENDABLE and (row.next_at is None or row.next_at <= now)
            if sendable or (row.state is State.SENDING and row.lease_until is not None and row.lease_until < now):
                found.append(row)
        if enqueue is not None and found:
            await enqueue([r.envelope.id for r in found])  # first: if it fails, nothing below has changed
        for row in found:
            if row.state is State.SENDING:  # its sender died mid-send: back to RETRY so the next claim succeeds
                row.state = State.RETRY
            row.next_at = row.lease_until = hold  # lease_until on a PENDING/RETRY row: on the queue until then
        return [r.envelope.id for r in found]

    async def requeue_held(self, now: datetime) -> int:
        held = [r for r in self.rows.values() if r.state in SENDABLE and r.lease_until is not None]
        for row in held:
            row.next_at, row.lease_until = now, None
        return len(held)
