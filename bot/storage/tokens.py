"""notify's :class:`~notify.tokens.TokenStore` on the app's key-value store.

The web app (mini-program login and phone number) and the outbox's senders must share one access
token per account. With Redis, the keys here are exactly those of :class:`notify.tokens.RedisTokenStore`
(``gridline:`` + ``token:`` + key, the lock at ``token:lock:`` + key holding a random value, as redis-py's
lock does), so both sides read the same token and take the same refresh lock.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage.base import KeyValueStore

PREFIX = "token:"
POLL_S = 0.05


class KvTokenStore:
    def __init__(self, kv: KeyValueStore) -> None:
        self._kv = kv

    async def get(self, key: str) -> str | None:
        return await self._kv.get(PREFIX + key)

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        await self._kv.set(PREFIX + key, value, ttl_seconds=ttl_s)

    async def drop_if(self, key: str, value: str) -> bool:
        return await self._kv.compare_and_delete(PREFIX + key, value)

    @asynccontextmanager
    async def lock(self, key: str, timeout_s: float) -> AsyncIterator[None]:
        # The lock expires by itself (after timeout_s) if its holder dies mid-refresh.
        name, mine = PREFIX + "lock:" + key, secrets.token_hex(16)
        deadline = time.monotonic() + timeout_s
        while not await self._kv.set_if_absent(name, mine, timeout_s):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"token lock {key} not acquired in {timeout_s}s")
            await asyncio.sleep(POLL_S)
        try:
            yield
        finally:
            await self._kv.compare_and_delete(name, mine)
