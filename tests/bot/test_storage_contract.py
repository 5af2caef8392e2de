"""One contract, two backends: the in-process store and Redis must behave the same."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.storage.base import KeyValueStore
from bot.storage.memory import MemoryStore
from bot.storage.redis import RedisStore


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    if request.param == "memory":
        backend: KeyValueStore = MemoryStore()
    else:
        url = request.getfixturevalue("redis_url")
        backend = RedisStore(url, prefix=f"test:{uuid.uuid4().hex}:")
    yield backend
    await backend.close()


class TestKeyValueContract:
    async def test_set_if_absent_is_exclusive(self, store: KeyValueStore) -> None:
        assert await store.set_if_absent("k", "a", 10)
        assert not await store.set_if_absent("k", "b", 10)
        assert await store.get("k") == "a"

    async def test_ttl_expires(self, store: KeyValueStore) -> None:
        assert await store.set_if_absent("k", "a", 0.05)
        await asyncio.sleep(0.15)
        assert await store.get("k") is None
        assert await store.set_if_absent("k", "b", 10)

    async def test_set_get_delete(self, store: KeyValueStore) -> None:
        assert await store.get("missing") is None
        await store.set("k", "值")
        assert await store.get("k") == "值"
        await store.delete("k")
        assert await store.get("k") is None
        await store.delete("k")  # deleting twice is fine

    async def test_compare_and_delete_only_releases_own_lock(self, store: KeyValueStore) -> None:
        await store.set_if_absent("lock", "me", 10)
        assert not await store.compare_and_delete("lock", "someone-else")
        assert await store.get("lock") == "me"
        assert await store.compare_and_delete("lock", "me")
        assert await store.get("lock") is None

    async def test_incr_counts_and_keeps_first_ttl(self, store: KeyValueStore) -> None:
        assert [await store.incr("n", 10) for _ in range(3)] == [1, 2, 3]
        assert await store.incr("m") == 1

    async def test_concurrent_set_if_absent_has_one_winner(self, store: KeyValueStore) -> None:
        results = await asyncio.gather(*(store.set_if_absent("race", str(i), 10) for i in range(20)))
        assert results.count(True) == 1

    async def test_ping(self, store: KeyValueStore) -> None:
        assert await store.ping()


async def test_redis_store_reports_down_server() -> None:
    down = RedisStore("redis://127.0.0.1:1/0")
    try:
        assert not await down.ping()
    finally:
        await down.close()
