"""Idempotency keys on both key-value backends: once per user and key, replays, waits, expiry."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.storage.base import KeyValueStore
from bot.storage.idempotency import IdempotencyKeys, valid_key
from bot.storage.memory import MemoryStore
from bot.storage.redis import RedisStore

T = "POST /worker/cases/1"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    backend: KeyValueStore = MemoryStore() if request.param == "memory" else RedisStore(
        request.getfixturevalue("redis_url"), prefix=f"test:{uuid.uuid4().hex}:")
    yield backend
    await backend.close()


def keys(store: KeyValueStore, ttl: float = 60, wait: float = 1) -> IdempotencyKeys:
    return IdempotencyKeys(store, timedelta(seconds=ttl), "t", wait=timedelta(seconds=wait),
                           poll=timedelta(milliseconds=10))


async def test_a_key_applies_once_and_replays_its_answer(store: KeyValueStore) -> None:
    k = keys(store)
    assert (await k.begin(1, "key-0001", T)).fresh
    await k.finish(1, "key-0001", T, {"status": 303, "location": "/x", "flash": {"text": "好", "kind": "ok"}})
    again = await k.begin(1, "key-0001", T)
    assert not again.fresh and again.answer == {"status": 303, "location": "/x", "flash": {"text": "好", "kind": "ok"}}
    assert (await k.begin(2, "key-0001", T)).fresh  # per user: another's key is not mine
    assert (await k.begin(1, "key-0001", "POST /worker/report")).misused  # the key came with another request


async def test_concurrent_duplicates_wait_for_the_first_answer(store: KeyValueStore) -> None:
    k = keys(store)
    applied: list[int] = []

    async def send(n: int) -> dict[str, object] | None:
        begun = await k.begin(1, "dup-dup-dup", T)
        if begun.fresh:
            applied.append(n)
            await asyncio.sleep(0.05)  # the action takes a while; the duplicates arrive meanwhile
            await k.finish(1, "dup-dup-dup", T, {"status": 303, "by": n})
            return {"status": 303, "by": n}
        return begun.answer

    answers = await asyncio.gather(*(send(n) for n in range(5)))
    assert len(applied) == 1 and all(a == {"status": 303, "by": applied[0]} for a in answers)


async def test_a_released_key_may_apply_again_and_a_stuck_one_answers_busy(store: KeyValueStore) -> None:
    k = keys(store, wait=0.05)
    assert (await k.begin(1, "released-1", T)).fresh
    await k.release(1, "released-1")
    assert (await k.begin(1, "released-1", T)).fresh
    assert (await k.begin(1, "released-1", T)).busy  # never finished: a duplicate gives up waiting


async def test_keys_expire(store: KeyValueStore) -> None:
    k = keys(store, ttl=0.05)
    assert (await k.begin(1, "expiring", T)).fresh
    await k.finish(1, "expiring", T, {"status": 303})
    await asyncio.sleep(0.15)
    assert (await k.begin(1, "expiring", T)).fresh


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "has space!", "../../etc", "键键键键键键键键"])
def test_hostile_keys_are_not_keys(key: str) -> None:
    assert not valid_key(key)
    assert valid_key(str(uuid.uuid4()))
