"""In-process storage for a single process without Redis."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bot.storage.base import Entry


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = (value, time.monotonic() + ttl_seconds)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        self._data[key] = (value, None if ttl_seconds is None else time.monotonic() + ttl_seconds)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def compare_and_delete(self, key: str, value: str) -> bool:
        if self._live(key) != value:
            return False
        del self._data[key]
        return True

    async def set_if_absent_guarded(self, guard: Entry, claims: Sequence[Entry]) -> tuple[bool, int]:
        assert guard.value is not None
        if not await self.set_if_absent(guard.key, guard.value, guard.ttl_seconds or 0.0) and \
                self._live(guard.key) != guard.value:
            return False, 0
        taken = 0
        for claim in claims:
            assert claim.value is not None
            if not await self.set_if_absent(claim.key, claim.value, claim.ttl_seconds or 0.0):
                break
            taken += 1
        return True, taken

    async def set_many(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            if entry.only_if is not None and self._live(entry.key) != entry.only_if:
                continue
            if entry.value is None:
                await self.delete(entry.key)
            else:
                await self.set(entry.key, entry.value, entry.ttl_seconds)

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int:
        current = self._live(key)
        number = int(current or 0) + 1
        expires = self._data[key][1] if current is not None else (
            None if ttl_seconds is None else time.monotonic() + ttl_seconds)
        self._data[key] = (str(number), expires)
        return number

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()
