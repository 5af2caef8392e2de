"""Idempotency keys: each key a user sends with an action is applied once; a replay gets the first answer.

A phone that lost its signal may send the same form twice (a double tap, a queued action re-sent after
a timeout): the key it carries makes the second one a no-op that answers what the first one did. Keys
are kept per user (one user's key never answers another's request) in the shared key-value store, so
every process agrees, and expire after ``ttl``. While the first request is still being applied, a
duplicate waits for its answer (briefly) instead of applying the action again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.storage.base import KeyValueStore

KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,64}")  # what a page's script makes (a UUID or random hex)
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Begun:
    """What :meth:`IdempotencyKeys.begin` found: ``fresh`` (apply it now), a stored ``answer`` to replay,
    ``busy`` (the first request is still running), or ``misused`` (the key came with another request)."""

    fresh: bool = False
    answer: dict[str, Any] | None = None
    busy: bool = False
    misused: bool = False


def valid_key(key: str) -> bool:
    return KEY_SHAPE.fullmatch(key) is not None


class IdempotencyKeys:
    def __init__(self, kv: KeyValueStore, ttl: timedelta, namespace: str,
                 wait: timedelta = timedelta(seconds=5), poll: timedelta = timedelta(milliseconds=50)) -> None:
        self._kv, self._ttl, self._ns = kv, ttl.total_seconds(), namespace
        self._wait, self._poll = wait.total_seconds(), poll.total_seconds()

    async def begin(self, user_id: int, key: str, target: str) -> Begun:
        """Claim ``key`` for ``target`` (the method and path it came with), or find what it already did."""
        claim = json.dumps({"target": target, "state": PENDING})
        if await self._kv.set_if_absent(self._key(user_id, key), claim, self._ttl):
            return Begun(fresh=True)
        waited = 0.0
        while True:
            raw = await self._kv.get(self._key(user_id, key))
            if raw is None:  # the first request gave its claim back (it failed): this one may apply
                return await self.begin(user_id, key, target)
            record = json.loads(raw)
            if record.get("target") != target:
                return Begun(misused=True)
            if record.get("state") != PENDING:
                return Begun(answer=dict(record["answer"]))
            if waited >= self._wait:
                return Begun(busy=True)
            await asyncio.sleep(self._poll)
            waited += self._poll

    async def finish(self, user_id: int, key: str, target: str, answer: dict[str, Any]) -> None:
        """Keep ``answer`` for replays of ``key`` (until the key expires)."""
        record = json.dumps({"target": target, "state": "done", "answer": answer})
        await self._kv.set(self._key(user_id, key), record, self._ttl)

    async def release(self, user_id: int, key: str) -> None:
        """Give the claim back: the request decided nothing (bad input, a crash), so a retry may apply."""
        await self._kv.delete(self._key(user_id, key))

    def _key(self, user_id: int, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self._ns}:idem:{user_id}:{digest}"
