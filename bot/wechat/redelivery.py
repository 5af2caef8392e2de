"""WeChat redelivers a message three times when it gets no answer within 5 s: never twice the effect.

The first delivery claims the message's key (``SET NX`` with a TTL); a
redelivery that finds the claim waits for the first one's reply and repeats it,
or answers ``success`` when it is not ready in time.
"""

from __future__ import annotations

import asyncio
import time

from bot.storage.base import KeyValueStore

CLAIM_TTL = 300.0  # WeChat stops retrying after ~15 s; keep well beyond that
RUNNING = "\x00running"


class Redelivery:
    def __init__(self, kv: KeyValueStore, poll: float = 0.05) -> None:
        self._kv, self._poll = kv, poll

    async def claim(self, key: str) -> bool:
        """True for the first delivery of ``key``."""
        return await self._kv.set_if_absent(f"wx:msg:{key}", RUNNING, CLAIM_TTL)

    async def remember(self, key: str, reply: str) -> None:
        await self._kv.set(f"wx:msg:{key}", reply, CLAIM_TTL)

    async def wait_for_reply(self, key: str, within: float) -> str | None:
        """The first delivery's reply once it is known, or ``None`` after ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            value = await self._kv.get(f"wx:msg:{key}")
            if value is not None and value != RUNNING:
                return value
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(self._poll)

    async def nonce_fresh(self, nonce: str, timestamp: int, key: str) -> bool:
        """A nonce may come back only with the same message (a redelivery); with another, it is a replay."""
        slot = f"wx:nonce:{timestamp}:{nonce}"
        if await self._kv.set_if_absent(slot, key, 600):
            return True
        return await self._kv.get(slot) == key
