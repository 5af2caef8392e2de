"""The work queue between the relay and the senders: message ids, consumer-group semantics.

Redis Streams in production (:mod:`notify.queue_redis`); :class:`MemoryQueue` in-process when Redis is absent.
An entry read but not acknowledged stays pending; ``reclaim`` hands entries a dead consumer left
pending past an idle time to another consumer (XAUTOCLAIM).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Delivery:
    entry: str  # the queue's own id, for ack
    message_id: str  # the outbox row


class Queue(Protocol):
    async def add(self, message_ids: Sequence[str]) -> None: ...

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        """New entries for ``consumer``, waiting up to ``block_ms`` when there are none."""
        ...

    async def ack(self, entries: Sequence[str]) -> None: ...

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[Delivery]:
        """Entries pending with any consumer for at least ``min_idle_ms``, now owned by ``consumer``."""
        ...

    async def pending(self) -> int: ...

    async def lost(self) -> bool:
        """Whether entries added earlier may be gone without having been read (a new in-process queue, a
        stream emptied by a Redis restart): True once per such loss, the relay's cue to re-queue every row
        it had handed to the queue (``OutboxStore.requeue_held``) instead of letting each wait out its hold."""
        ...


@dataclass
class _Pending:
    delivery: Delivery
    consumer: str
    since: float


class MemoryQueue:
    def __init__(self) -> None:
        self._new: OrderedDict[str, Delivery] = OrderedDict()
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._seq = 0
        self._ready = asyncio.Event()
        self._asked = False

    async def add(self, message_ids: Sequence[str]) -> None:
        for message_id in message_ids:
            self._seq += 1
            entry = f"{self._seq}-0"
            self._new[entry] = Delivery(entry, message_id)
        if message_ids:
            self._ready.set()

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        if not self._new and block_ms > 0:
            self._ready.clear()
            try:
                async with asyncio.timeout(block_ms / 1000):
                    await self._ready.wait()
            except TimeoutError:
                return []
        out: list[Delivery] = []
        while self._new and len(out) < count:
            _, delivery = self._new.popitem(last=False)
            self._pending[delivery.entry] = _Pending(delivery, consumer, time.monotonic())
            out.append(delivery)
        return out

    async def ack(self, entries: Sequence[str]) -> None:
        for entry in entries:
            self._pending.pop(entry, None)

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[Delivery]:
        now = time.monotonic()
        out: list[Delivery] = []
        for item in self._pending.values():
            if len(out) >= count:
                break
            if (now - item.since) * 1000 >= min_idle_ms:
                item.consumer, item.since = consumer, now
                out.append(item.delivery)
        return out

    async def pending(self) -> int:
        return len(self._pending)

    async def lost(self) -> bool:
        # A new process's queue is empty: whatever a previous process's relay held for its queue is gone.
        asked, self._asked = self._asked, True
        return not asked
