"""Failed console sign-ins, counted per account and address in the key-value store (every process sees them).

After ``max_failures`` the pair is locked for ``lockout`` from the first failure: an attacker
from one address cannot lock a dispatcher out everywhere, and one guessing many accounts is
limited on each. The key holds a digest, so the store does not keep who tried from where.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from bot.storage.base import KeyValueStore


class Lockout:
    def __init__(self, kv: KeyValueStore, max_failures: int, period: timedelta) -> None:
        self._kv, self._max, self._ttl = kv, max_failures, period.total_seconds()

    async def locked(self, account: str, ip: str) -> bool:
        return int(await self._kv.get(_key(account, ip)) or 0) >= self._max

    async def failed(self, account: str, ip: str) -> int:
        """Counts a failure; the number of failures in this period."""
        return await self._kv.incr(_key(account, ip), self._ttl)

    async def clear(self, account: str, ip: str) -> None:
        await self._kv.delete(_key(account, ip))


def _key(account: str, ip: str) -> str:
    return f"console:failures:{hashlib.sha256(f'{account}|{ip}'.encode()).hexdigest()}"
