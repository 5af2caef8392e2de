"""The relay: moves due outbox rows onto the queue (new rows, retries whose time has come, rows of dead senders).

At least once: a row may be enqueued twice (a slow sender, a lost entry); the sender's claim makes that harmless.
When the queue says it lost entries (Redis came back empty), the rows it held are re-queued at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from notify.queue import Queue
from notify.store import OutboxStore

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Relay:
    """Moves due outbox rows onto the queue: new rows, retries whose time has come, rows of dead senders."""

    def __init__(self, store: OutboxStore, queue: Queue, clock: Callable[[], datetime] = _utcnow,
                 interval_s: float = 1.0, batch: int = 1000, hold_s: float = 600.0) -> None:
        # hold_s: how long an enqueued row waits before the relay enqueues it again. Entries are lost with a new
        # in-process queue or an emptied stream (both reported by Queue.lost: those rows come back at once) or
        # a trimmed stream, and a re-enqueue of a backlog is wasted work, so it is long; dead senders' rows come
        # back through their lease, not through this.
        self._store, self._queue, self._clock = store, queue, clock
        self._interval, self._batch, self._hold = interval_s, batch, hold_s
        self._lost = False  # a loss seen but not yet made good (the store failed): kept for the next tick

    async def tick(self) -> int:
        # Before due(): once the stream is emptied, rows handed to it before would otherwise wait out hold_s
        # (seen: 194 alert cards stuck for 10 minutes after a Redis restart without persistence).
        self._lost = self._lost or await self._queue.lost()
        if self._lost:
            n = await self._store.requeue_held(self._clock())
            self._lost = False
            if n:
                log.warning("the outbox queue lost its entries (Redis restarted empty?); %d rows queued again", n)
        total = 0
        while True:
            ids = await self._store.due(self._clock(), self._batch, self._hold, self._queue.add)
            total += len(ids)
            if len(ids) < self._batch:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("relay tick failed")
            try:
                async with asyncio.timeout(self._interval):
                    await stop.wait()
            except TimeoutError:
                pass
