"""One key-value storage Protocol with an in-process and a Redis backend.

Used where several processes must agree: background-job locks, WeChat nonces,
redelivery claims, residents' turns and drafts, rate limits. Both backends pass
the same contract tests (tests/bot/test_storage_contract.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol


class Entry(NamedTuple):
    """One key's value and TTL in seconds; a ``None`` value deletes the key.

    ``only_if``: for :meth:`KeyValueStore.set_many`, write only while the key holds this value
    (releasing a lock we own in the same round trip as other writes).
    """

    key: str
    value: str | None
    ttl_seconds: float | None = None
    only_if: str | None = None


class KeyValueStore(Protocol):
    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        """SET NX with a TTL: True when this call set it."""
        ...

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def compare_and_delete(self, key: str, value: str) -> bool:
        """Delete only when the key still holds ``value`` (releasing a lock we own)."""
        ...

    async def set_if_absent_guarded(self, guard: Entry, claims: Sequence[Entry]) -> tuple[bool, int]:
        """Hold ``guard`` (SET NX, or it already holds the same value), and only then SET NX each claim
        in order, stopping at the first one that is taken.

        Returns ``(guard held, claims set)`` in one round trip: the WeChat callback's nonce check,
        redelivery claim and the resident's turn are all on the path of every message.
        """
        ...

    async def set_many(self, entries: Sequence[Entry]) -> None:
        """Set (or delete, for a ``None`` value) several keys in one round trip, each under its ``only_if``."""
        ...

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
