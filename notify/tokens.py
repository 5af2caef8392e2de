"""Shared access tokens: cached in a store every sender process reads, refreshed under a lock.

Many processes must never invalidate each other's token: only one refreshes at a time (the lock),
the others re-read the cache after it, and a refresh after an "invalid token" answer drops the
cached token only if it is still the one that failed (compare-and-delete).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import LockError


class TokenStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, ttl_s: float) -> None: ...

    async def drop_if(self, key: str, value: str) -> bool:
        """Delete ``key`` only if it still holds ``value``."""
        ...

    def lock(self, key: str, timeout_s: float) -> AbstractAsyncContextManager[None]: ...


class MemoryTokenStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock

    async def get(self, key: str) -> str | None:
        value, until = self._values.get(key, ("", 0.0))
        return value if value and until > self._clock() else None

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        self._values[key] = (value, self._clock() + ttl_s)

    async def drop_if(self, key: str, value: str) -> bool:
        if self._values.get(key, ("", 0.0))[0] != value:
            return False
        del self._values[key]
        return True

    @asynccontextmanager
    async def lock(self, key: str, timeout_s: float) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with asyncio.timeout(timeout_s):
            await lock.acquire()
        try:
            yield
        finally:
            lock.release()


_DROP_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisTokenStore:
    def __init__(self, redis: Redis, prefix: str = "gridline:token:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_s * 1000)))

    async def drop_if(self, key: str, value: str) -> bool:
        return bool(await self._redis.eval(_DROP_IF, 1, self._prefix + key, value))

    @asynccontextmanager
    async def lock(self, key: str, timeout_s: float) -> AsyncIterator[None]:
        # The lock expires by itself if its holder dies mid-refresh.
        lock = self._redis.lock(self._prefix + "lock:" + key, timeout=timeout_s, blocking_timeout=timeout_s)
        if not await lock.acquire():
            raise TimeoutError(f"token lock {key} not acquired in {timeout_s}s")
        try:
            yield
        finally:
            with contextlib.suppress(LockError):  # it expired during a slow refresh: nothing left to release
                await lock.release()


Fetch = Callable[[bool], Awaitable[tuple[str, float]]]  # force -> (token, expires_in seconds)


class AccessTokens:
    """One API account's token: ``get`` reads the cache or refreshes it; ``refresh(stale)`` after a token error."""

    def __init__(self, store: TokenStore, key: str, fetch: Fetch, margin_s: float = 300.0,
                 lock_timeout_s: float = 15.0) -> None:
        self._store, self._key, self._fetch = store, key, fetch
        self._margin, self._lock_timeout = margin_s, lock_timeout_s

    async def get(self) -> str:
        token = await self._store.get(self._key)
        return token if token is not None else await self._renew(stale=None)

    async def refresh(self, stale: str) -> str:
        await self._store.drop_if(self._key, stale)
        return await self._renew(stale=stale)

    async def _renew(self, stale: str | None) -> str:
        async with self._store.lock(self._key, self._lock_timeout):
            token = await self._store.get(self._key)
            if token is not None and token != stale:
                return token  # another process refreshed it while we waited
            token, expires_in = await self._fetch(False)
            if token == stale:  # the server still hands out the token it just rejected
                token, expires_in = await self._fetch(True)
            await self._store.put(self._key, token, max(1.0, expires_in - min(self._margin, expires_in / 5)))
            return token
