"""Redis storage through ``redis.asyncio`` (aioredis is archived and breaks on Python 3.11)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from bot.storage.base import Entry

# Atomic "delete if it still holds my value", so a lock whose TTL ran out is never released by its old owner.
_CAD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_INCR = ("local n = redis.call('incr', KEYS[1]) "
         "if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n")

# set_if_absent_guarded: ARGV = guard value, guard TTL ms, then a value and a TTL per claim.
# SET NX fails with a nil reply, which Lua sees as false.
_GUARDED = ("if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) "
            "and redis.call('get', KEYS[1]) ~= ARGV[1] then return {0, 0} end "
            "for i = 2, #KEYS do "
            "if not redis.call('set', KEYS[i], ARGV[2 * i - 1], 'NX', 'PX', ARGV[2 * i]) then return {1, i - 2} end "
            "end return {1, #KEYS - 1}")

# set_many as one script: a pipeline costs redis-py about half as much again as one command.
# Per key three arguments: the value, the TTL in ms (0: none; -1: delete the key) and the condition:
# "" for none, else "=" followed by the value the key must hold (so that a condition on "" is "=").
_SET_MANY = ("for i = 1, #KEYS do local v, px = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]) "
             "local cond = ARGV[3 * i] "
             "if cond == '' or redis.call('get', KEYS[i]) == string.sub(cond, 2) then "
             "if px < 0 then redis.call('del', KEYS[i]) elseif px == 0 then redis.call('set', KEYS[i], v) "
             "else redis.call('set', KEYS[i], v, 'PX', px) end end end return #KEYS")


def _ms(ttl_seconds: float) -> int:
    return max(1, int(ttl_seconds * 1000))


def _px(ttl_seconds: float | None) -> int | None:
    return None if ttl_seconds is None else _ms(ttl_seconds)


class RedisStore:
    def __init__(self, url: str, prefix: str = "gridline:") -> None:
        # A blocking pool: under a burst, callers wait for a connection instead of failing at once
        # (redis-py's default pool raises MaxConnectionsError past 100, which became HTTP 500s).
        pool = BlockingConnectionPool.from_url(url, decode_responses=True, socket_timeout=5,
                                               socket_connect_timeout=5, max_connections=64, timeout=5)
        self._redis: Redis = Redis(connection_pool=pool)
        self._prefix = prefix
        self._guarded = self._redis.register_script(_GUARDED)  # EVALSHA, the script sent once
        self._set_many = self._redis.register_script(_SET_MANY)

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        return bool(await self._redis.set(self._k(key), value, nx=True, px=_ms(ttl_seconds)))

    async def get(self, key: str) -> str | None:
        return cast(str | None, await self._redis.get(self._k(key)))

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        await self._redis.set(self._k(key), value, px=_px(ttl_seconds))

    async def set_if_absent_guarded(self, guard: Entry, claims: Sequence[Entry]) -> tuple[bool, int]:
        args: list[str | int] = []
        for entry in (guard, *claims):
            args += [entry.value or "", _ms(entry.ttl_seconds or 0.0)]
        keys = [self._k(entry.key) for entry in (guard, *claims)]
        result: Any = await self._guarded(keys=keys, args=args)
        return bool(result[0]), int(result[1])

    async def set_many(self, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        args: list[str | int] = []
        for entry in entries:
            args += ["", -1] if entry.value is None else [entry.value, _px(entry.ttl_seconds) or 0]
            args.append("" if entry.only_if is None else "=" + entry.only_if)  # "=": a condition on ""
        await self._set_many(keys=[self._k(entry.key) for entry in entries], args=args)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def compare_and_delete(self, key: str, value: str) -> bool:
        result: Any = await self._redis.eval(_CAD, 1, self._k(key), value)
        return bool(result)

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int:
        px = 0 if ttl_seconds is None else _ms(ttl_seconds)
        result: Any = await self._redis.eval(_INCR, 1, self._k(key), px)
        return int(result)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()
