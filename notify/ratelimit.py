"""Token buckets per channel / API: in Redis (one Lua script, shared by every sender process) or in memory."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Rate:
    per_s: float
    burst: float

    def __post_init__(self) -> None:
        if self.per_s <= 0 or self.burst < 1:
            raise ValueError("rate must be positive and burst at least 1")


class RateLimiter(Protocol):
    async def try_take(self, bucket: str, rate: Rate, n: int = 1) -> float:
        """Take ``n`` tokens: 0.0 if taken, else the seconds until they would be available (nothing taken)."""
        ...

    async def reserve(self, bucket: str, rate: Rate, n: int = 1) -> float:
        """Take ``n`` tokens now, going into debt if needed; the seconds to wait before using them.

        One call per message however many senders wait, and each waiter gets its own slot (no thundering herd).
        """
        ...


async def take(limiter: RateLimiter, bucket: str, rate: Rate, n: int = 1) -> None:
    """Wait until ``n`` tokens are ours."""
    wait = await limiter.reserve(bucket, rate, n)
    if wait > 0:
        await asyncio.sleep(wait)


def _refill(tokens: float, last: float, now: float, rate: Rate, n: int, debt: bool) -> tuple[float, float]:
    """New token count (after taking, if possible or ``debt``) and the wait (0 = usable now)."""
    tokens = min(rate.burst, tokens + max(0.0, now - last) * rate.per_s)
    if tokens >= n:
        return tokens - n, 0.0
    wait = (n - tokens) / rate.per_s
    return (tokens - n if debt else tokens), wait


class MemoryRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._clock = clock

    async def try_take(self, bucket: str, rate: Rate, n: int = 1) -> float:
        return self._take(bucket, rate, n, debt=False)

    async def reserve(self, bucket: str, rate: Rate, n: int = 1) -> float:
        return self._take(bucket, rate, n, debt=True)

    def _take(self, bucket: str, rate: Rate, n: int, debt: bool) -> float:
        now = self._clock()
        tokens, last = self._buckets.get(bucket, (rate.burst, now))
        tokens, wait = _refill(tokens, last, now, rate, n, debt)
        self._buckets[bucket] = (tokens, now)
        return wait


# KEYS[1] bucket hash; ARGV per_s, burst, n, debt (1: reserve). Redis's own clock, so all hosts agree.
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, n, debt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(state[1]) or burst, tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= n then tokens = tokens - n else
  wait = (n - tokens) / rate
  if debt then tokens = tokens - n end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - math.min(tokens, 0)) / rate * 1000) + 1000)
return string.format('%.6f', wait)
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str = "gridline:rl:") -> None:
        self._redis, self._prefix = redis, prefix
        self._script = redis.register_script(_LUA)

    async def try_take(self, bucket: str, rate: Rate, n: int = 1) -> float:
        return float(await self._script(keys=[self._prefix + bucket], args=[rate.per_s, rate.burst, n, 0]))

    async def reserve(self, bucket: str, rate: Rate, n: int = 1) -> float:
        return float(await self._script(keys=[self._prefix + bucket], args=[rate.per_s, rate.burst, n, 1]))
