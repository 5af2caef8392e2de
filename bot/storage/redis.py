"""Redis storage through ``redis.asyncio`` (aioredis is archived and breaks on Python 3.11)."""

from __future__ import annotations

from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

# Atomic "delete if it still holds my value", so a lock whose TTL ran out is never released by its old owner.
_CAD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_INCR = ("local n = redis.call('incr', KEYS[1]) "
         "if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n")


class RedisStore:
    def __init__(self, url: str, prefix: str = "gridline:") -> None:
        # A blocking pool: under a burst, callers wait for a connection instead of failing at once
        # (redis-py's default pool raises MaxConnectionsError past 100, which became HTTP 500s).
        pool = BlockingConnectionPool.from_url(url, decode_responses=True, socket_timeout=5,
                                               socket_connect_timeout=5, max_connections=64, timeout=5)
        self._redis: Redis = Redis(connection_pool=pool)
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        return bool(await self._redis.set(self._k(key), value, nx=True, px=max(1, int(ttl_seconds * 1000))))

    async def get(self, key: str) -> str | None:
        return cast(str | None, await self._redis.get(self._k(key)))

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        px = None if ttl_seconds is None else max(1, int(ttl_seconds * 1000))
        await self._redis.set(self._k(key), value, px=px)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def compare_and_delete(self, key: str, value: str) -> bool:
        result: Any = await self._redis.eval(_CAD, 1, self._k(key), value)
        return bool(result)

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int:
        px = 0 if ttl_seconds is None else max(1, int(ttl_seconds * 1000))
        result: Any = await self._redis.eval(_INCR, 1, self._k(key), px)
        return int(result)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()
