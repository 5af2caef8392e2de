"""Fixed-window rate limits on the key-value store (``incr`` with a TTL), per resident and per IP.

Windows are aligned to the local clock (the day starts at midnight in China,
UTC+8 all year), so ``Retry-After`` is the time to the next window without
asking the store for a key's TTL.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.mp.errors import http_error
from bot.storage.base import KeyValueStore

DAY, HOUR = 86400, 3600
CHINA = 8 * HOUR


class RateLimiter:
    def __init__(self, kv: KeyValueStore) -> None:
        self._kv = kv

    async def hit(self, what: str, limits: dict[str, tuple[str, int]], period: int, now: datetime) -> None:
        """Count one ``what`` for every subject in ``limits`` (``{"rid": (openid, 20), "ip": (addr, 200)}``);
        429 with ``Retry-After`` when any of them is past its limit."""
        stamp = now.timestamp() + CHINA
        window = int(stamp // period)
        retry = max(1, math.ceil((window + 1) * period - stamp))
        for kind, (subject, limit) in limits.items():
            count = await self._kv.incr(f"rl:{what}:{kind}:{subject}:{window}", ttl_seconds=period + 60)
            if count > limit:
                raise http_error(429, "rate_limited", f"too many {what} requests; retry later",
                                 {"limit": limit, "per_seconds": period, "scope": kind}, retry_after=retry)
