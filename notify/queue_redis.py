"""The work queue on a Redis Stream with one consumer group shared by every sender process.

The stream and its group can vanish under a running process — Redis restarted without persistence, a
failover to an empty replica, a FLUSHALL. Every group command then answers ``NOGROUP`` (an XADD silently
recreates the stream, but not the group), and a sender that created the group once at start kept failing
once a second until restarted: the outbox never drained. A vanished group is recreated and the command
retried once. The entries are gone with the stream: the relay re-queues the rows it had handed to it as
soon as it sees the loss (:meth:`RedisStreamQueue.lost`), not when their 10-minute hold runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from notify.queue import Delivery

FIELD = b"id"
log = logging.getLogger("gridline.outbox")
T = TypeVar("T")
_VANISHED = ("NOGROUP", "no longer exists", "no such key")


class RedisStreamQueue:
    def __init__(self, redis: Redis, stream: str = "gridline:outbox", group: str = "senders",
                 maxlen: int | None = 1_000_000) -> None:
        self._redis, self._stream, self._group, self._maxlen = redis, stream, group, maxlen
        self._ready = False
        self._marker = f"{stream}:intact"  # set while Redis keeps what it was given (see lost)

    async def _ensure(self) -> None:
        if self._ready:
            return
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._ready = True

    async def _call(self, command: Callable[[], Awaitable[T]]) -> T:
        """``command`` on the stream; once more after recreating the stream and group if they vanished."""
        await self._ensure()
        try:
            return await command()
        except ResponseError as exc:
            if not any(sign in str(exc) for sign in _VANISHED):
                raise
        log.warning("the outbox stream or its consumer group vanished (Redis restarted empty?); recreating it",
                    extra={"stream": self._stream})
        self._ready = False
        await self._ensure()
        return await command()

    async def add(self, message_ids: Sequence[str]) -> None:
        await self._ensure()
        # Approximate trimming keeps the stream bounded; acknowledged history is all it drops in practice.
        async with self._redis.pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                pipe.xadd(self._stream, {FIELD: message_id}, maxlen=self._maxlen, approximate=True)
            await pipe.execute()

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Delivery]:
        answer: Any = await self._call(lambda: self._redis.xreadgroup(
            self._group, consumer, {self._stream: ">"}, count=count, block=block_ms if block_ms > 0 else None))
        return [d for _, entries in answer or [] for d in _deliveries(entries)]

    async def ack(self, entries: Sequence[str]) -> None:
        if entries:
            await self._call(lambda: self._redis.xack(self._stream, self._group, *entries))

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[Delivery]:
        answer = await self._call(lambda: self._redis.xautoclaim(self._stream, self._group, consumer, min_idle_ms,
                                                                 "0-0", count=count))
        # [next start, claimed entries, deleted ids]; trimmed entries come back as ids only (in "deleted").
        return _deliveries(answer[1])

    async def forget_idle(self, idle_ms: int) -> int:
        """Drop consumers with nothing pending that have been idle ``idle_ms`` (each restarted process is a new
        consumer name; the group would otherwise list every one forever)."""
        gone = 0
        for consumer in await self._call(lambda: self._redis.xinfo_consumers(self._stream, self._group)):
            if int(consumer["pending"]) == 0 and int(consumer["idle"]) >= idle_ms:
                await self._redis.xgroup_delconsumer(self._stream, self._group, _text(consumer["name"]))
                gone += 1
        return gone

    async def pending(self) -> int:
        info = await self._call(lambda: self._redis.xpending(self._stream, self._group))
        return int(info["pending"])

    async def lost(self) -> bool:
        """A marker key beside the stream: gone with it when Redis comes back empty (no persistence, a FLUSHALL,
        an empty replica), so the first relay to set it again knows the stream's unread entries went too.
        Also True on the very first run against a Redis: the rows re-queued then are merely queued twice, and
        a sender's claim skips the second copy."""
        return bool(await self._redis.set(self._marker, 1, nx=True))


def _deliveries(entries: Any) -> list[Delivery]:
    out: list[Delivery] = []
    for entry, fields in entries:
        if fields and FIELD in fields:
            out.append(Delivery(_text(entry), _text(fields[FIELD])))
    return out


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
