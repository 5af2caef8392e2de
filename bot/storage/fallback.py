"""Redis when it answers, the database when it does not: the store the app runs on when Redis is configured.

Redis is optional at runtime, not only at start (#18): during an outage every call goes to the database
store (slower, correct) instead of answering 500 — WeChat would retry a failed callback three times and
then drop the message. While Redis is down, one call per ``retry_s`` probes it; the rest go straight to
the database, so an outage costs no connection timeouts on the reply path.

When Redis comes back it may come back empty. For ``grace_s`` after that (longer than any claim, turn or
draft lives) what was written to the database during the outage still counts: a read that misses Redis
looks there, and a claim held there is not granted again — a message claimed during the outage is not
processed twice, a draft begun during it is not lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import TypeVar

from redis.exceptions import RedisError

from bot.storage.base import Entry, KeyValueStore
from bot.storage.database import DatabaseStore

log = logging.getLogger("gridline.storage")
T = TypeVar("T")
DOWN = (RedisError, OSError)


class FallbackStore:
    def __init__(self, primary: KeyValueStore, secondary: DatabaseStore, *, retry_s: float = 1.0,
                 grace_s: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.primary, self.secondary = primary, secondary
        self._retry_s, self._grace_s, self._clock = retry_s, grace_s, clock
        self._down_since: float | None = None
        self._next_probe = 0.0
        self._back_at: float | None = None  # when Redis answered again after an outage

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    def _in_grace(self) -> bool:
        """Whether the database may hold what Redis lacks: during an outage (the next call may find Redis
        back) and for ``grace_s`` after it."""
        if self._down_since is not None:
            return True
        return self._back_at is not None and self._clock() - self._back_at < self._grace_s

    def _skipping(self) -> bool:
        """Redis is down and it is not yet time to probe it: the call goes to the database alone (no checks
        against the database beside it, which would then only repeat the call)."""
        return self._down_since is not None and self._clock() < self._next_probe

    async def _run(self, primary: Callable[[], Awaitable[T]], secondary: Callable[[], Awaitable[T]],
                   skipping: bool = False) -> tuple[T, bool]:
        """The call's result, and whether the database gave it (always with ``skipping``: the caller skipped
        the checks a call to Redis needs)."""
        now = self._clock()
        if skipping or (self._down_since is not None and now < self._next_probe):
            return await secondary(), True
        try:
            result = await primary()
        except DOWN as exc:
            if self._down_since is None:
                self._down_since = now
                log.warning("redis unreachable: the database holds claims and drafts until it is back",
                            extra={"error": type(exc).__name__})
            self._next_probe = now + self._retry_s
            return await secondary(), True
        if self._down_since is not None:
            log.warning("redis is back", extra={"down_s": round(now - self._down_since, 1)})
            self._down_since, self._back_at = None, now
        return result, False

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        skipping = self._skipping()
        if not skipping and self._in_grace() and await self.secondary.live([key]):
            return False
        return (await self._run(lambda: self.primary.set_if_absent(key, value, ttl_seconds),
                                lambda: self.secondary.set_if_absent(key, value, ttl_seconds), skipping))[0]

    async def get(self, key: str) -> str | None:
        found, from_db = await self._run(lambda: self.primary.get(key), lambda: self.secondary.get(key))
        if found is None and not from_db and self._in_grace():
            return await self.secondary.get(key)
        return found

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        await self._run(lambda: self.primary.set(key, value, ttl_seconds),
                        lambda: self.secondary.set(key, value, ttl_seconds))

    async def delete(self, key: str) -> None:
        _, from_db = await self._run(lambda: self.primary.delete(key), lambda: self.secondary.delete(key))
        if not from_db and self._in_grace():
            await self.secondary.delete(key)

    async def compare_and_delete(self, key: str, value: str) -> bool:
        done, from_db = await self._run(lambda: self.primary.compare_and_delete(key, value),
                                        lambda: self.secondary.compare_and_delete(key, value))
        if not from_db and self._in_grace():
            done = await self.secondary.compare_and_delete(key, value) or done
        return done

    async def set_if_absent_guarded(self, guard: Entry, claims: Sequence[Entry]) -> tuple[bool, int]:
        skipping = self._skipping()
        if not skipping and self._in_grace():
            held = await self.secondary.live([guard.key, *(c.key for c in claims)])
            if guard.key in held and await self.secondary.get(guard.key) != guard.value:
                return False, 0
            claims = self._unclaimed_prefix(claims, held)
        return (await self._run(lambda: self.primary.set_if_absent_guarded(guard, claims),
                                lambda: self.secondary.set_if_absent_guarded(guard, claims), skipping))[0]

    @staticmethod
    def _unclaimed_prefix(claims: Sequence[Entry], held: Collection[str]) -> list[Entry]:
        """The claims before the first one the outage's database still holds (claims stop at the first taken)."""
        out = []
        for claim in claims:
            if claim.key in held:
                break
            out.append(claim)
        return out

    async def set_many(self, entries: Sequence[Entry]) -> None:
        _, from_db = await self._run(lambda: self.primary.set_many(entries),
                                     lambda: self.secondary.set_many(entries))
        if not from_db and self._in_grace():  # a draft finished or a claim released: not resurrected from the database
            gone = [Entry(e.key, None, None, e.only_if) for e in entries if e.value is None]
            if gone:
                await self.secondary.set_many(gone)

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int:
        return (await self._run(lambda: self.primary.incr(key, ttl_seconds),
                                lambda: self.secondary.incr(key, ttl_seconds)))[0]

    async def ping(self) -> bool:
        """Whether Redis answers (health reports "degraded" when not; the app still works)."""
        return await self.primary.ping()

    async def close(self) -> None:
        await self.primary.close()
        await self.secondary.close()
