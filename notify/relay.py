"""The relay: moves due outbox rows onto the queue (new rows, retries whose time has come, rows of dead senders).

At least once: a row may be enqueued twice (a slow sender, a lost entry); the sender's claim makes that harmless.
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
        # hold_s: how long an enqueued row waits before the relay enqueues it again. Entries are only lost with
        # the in-process queue (a crash loses the process too) or a trimmed stream, and a re-enqueue of a backlog
        # is wasted work, so it is long; dead senders' rows come back through their lease, not through this.
        self._store, self._queue, self._clock = store, queue, clock
        self._interval, self._batch, self._hold = interval_s, batch, hold_s

    async def tick(self) -> int:
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
