"""One key-value storage Protocol with an in-process and a Redis backend.

Used where several processes must agree (the SLA sweep lock now; WeChat
redelivery dedup and conversation state later). Both backends pass the same
contract tests.
"""

from __future__ import annotations

from typing import Protocol


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

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
