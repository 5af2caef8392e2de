"""One contract, two backends: the in-process store and Redis must behave the same."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.storage.base import Entry, KeyValueStore
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

    async def test_guarded_claim_takes_the_guard_then_the_claims(self, store: KeyValueStore) -> None:
        claims = [Entry("c", "run", 10), Entry("d", "turn", 10)]
        assert await store.set_if_absent_guarded(Entry("g", "mine", 10), claims) == (True, 2)
        assert [await store.get(k) for k in "gcd"] == ["mine", "run", "turn"]
        # The guard holds our own value (a redelivery): held, but the first claim is taken already.
        assert await store.set_if_absent_guarded(Entry("g", "mine", 10), [Entry("c", "again", 10)]) == (True, 0)
        assert await store.get("c") == "run"

    async def test_guarded_claims_stop_at_the_first_taken(self, store: KeyValueStore) -> None:
        await store.set("d", "busy", 10)
        claims = [Entry("c", "run", 10), Entry("d", "turn", 10), Entry("e", "never", 10)]
        assert await store.set_if_absent_guarded(Entry("g", "mine", 10), claims) == (True, 1)
        assert [await store.get(k) for k in "cde"] == ["run", "busy", None]

    async def test_guarded_claim_leaves_the_claims_alone_under_a_foreign_guard(self, store: KeyValueStore) -> None:
        await store.set("g", "theirs", 10)
        assert await store.set_if_absent_guarded(Entry("g", "mine", 10), [Entry("c", "run", 10)]) == (False, 0)
        assert await store.get("c") is None and await store.get("g") == "theirs"

    async def test_guarded_claim_keys_expire(self, store: KeyValueStore) -> None:
        assert await store.set_if_absent_guarded(Entry("g", "x", 0.05), [Entry("c", "y", 0.05)]) == (True, 1)
        await asyncio.sleep(0.15)
        assert await store.get("g") is None and await store.get("c") is None

    async def test_concurrent_guarded_claims_have_one_winner(self, store: KeyValueStore) -> None:
        results = await asyncio.gather(*(store.set_if_absent_guarded(Entry("g", "same", 10), [Entry("c", str(i), 10)])
                                         for i in range(20)))
        assert results.count((True, 1)) == 1 and results.count((True, 0)) == 19

    async def test_set_many_sets_and_deletes(self, store: KeyValueStore) -> None:
        await store.set("old", "x")
        await store.set_many([Entry("a", "甲", 10), Entry("b", "乙"), Entry("old", None), Entry("short", "s", 0.05)])
        assert [await store.get(k) for k in ("a", "b", "old")] == ["甲", "乙", None]
        await asyncio.sleep(0.15)
        assert await store.get("short") is None and await store.get("a") == "甲"
        await store.set_many([])  # nothing to do is fine

    async def test_set_many_writes_only_under_its_condition(self, store: KeyValueStore) -> None:
        await store.set("lock", "mine")
        await store.set("other", "theirs")
        await store.set("empty", "")
        await store.set_many([Entry("lock", None, only_if="mine"), Entry("other", None, only_if="mine"),
                              Entry("empty", "filled", 10, only_if=""), Entry("absent", "x", 10, only_if="y"),
                              Entry("plain", "p", 10)])
        assert [await store.get(k) for k in ("lock", "other", "empty", "absent", "plain")] == \
            [None, "theirs", "filled", None, "p"]

    async def test_ping(self, store: KeyValueStore) -> None:
        assert await store.ping()


async def test_redis_store_reports_down_server() -> None:
    down = RedisStore("redis://127.0.0.1:1/0")
    try:
        assert not await down.ping()
    finally:
        await down.close()
