"""The database store and the Redis-or-database store keep the key-value contract; an outage loses nothing.

The contract class is the one the memory and Redis stores pass (tests/bot/test_storage_contract.py), run
here on the database store (SQLite and PostgreSQL) and on the fallback store with Redis unreachable. The
outage test runs a redis-server of its own on a free port, kills it and starts it again empty.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.storage.base import Entry, KeyValueStore
from bot.storage.database import DatabaseStore
from bot.storage.fallback import FallbackStore
from bot.storage.redis import RedisStore
from tests.bot import test_storage_contract as contract
from tests.conftest import Services

DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens, connections are refused


@pytest.fixture(params=["database", "fallback-redis-down"])
async def store(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[KeyValueStore]:
    prefix = f"test:{uuid.uuid4().hex}:"
    backend: KeyValueStore = DatabaseStore(prefix)
    if request.param == "fallback-redis-down":
        backend = FallbackStore(RedisStore(DEAD_REDIS, prefix=prefix), backend)
    yield backend
    await backend.close()


class TestDatabaseContract(contract.TestKeyValueContract):
    async def test_ping(self, store: KeyValueStore) -> None:
        # The fallback's ping is Redis's (/healthz says "degraded"); the store itself keeps working.
        assert await store.ping() is not isinstance(store, FallbackStore)

    async def test_values_with_nul_and_backslashes_round_trip(self, store: KeyValueStore) -> None:
        value = "run\x00m1\\0\\"  # claim values join fields with NUL; PostgreSQL text cannot hold it
        assert await store.set_if_absent("k\x00", value, 10)
        assert await store.get("k\x00") == value and await store.compare_and_delete("k\x00", value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    """A redis-server of this test's own, to kill and restart (never the shared one)."""

    def __init__(self) -> None:
        self.port, self.proc = _free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    yield server
    server.kill()


async def _until_up(store: RedisStore) -> None:
    for _ in range(100):
        if await store.ping():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("redis-server did not start")


async def test_an_outage_and_an_empty_restart_lose_no_claim_and_no_draft(
        services: Services, own_redis: OwnRedis) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    redis = RedisStore(own_redis.url, prefix=prefix)
    await _until_up(redis)
    kv = FallbackStore(redis, DatabaseStore(prefix), retry_s=0.0)
    assert await kv.set_if_absent("claim:before", "p1", 60) and not kv.degraded

    own_redis.kill()
    assert await kv.set_if_absent("claim:during", "p1", 60)  # answered from the database, not a 500
    assert kv.degraded and not await kv.ping()
    await kv.set("draft:resident", "路灯坏了", 600)
    assert await kv.incr("rate:resident", 60) == 1
    assert await kv.set_if_absent_guarded(Entry("nonce:1", "m1", 60), [Entry("run:m1", "p1", 60)]) == (True, 1)

    own_redis.start()  # back, and empty
    await _until_up(redis)
    assert not await kv.set_if_absent("claim:during", "p2", 60)  # the outage's claim still holds
    assert await kv.get("draft:resident") == "路灯坏了"  # the draft begun during the outage is still there
    assert not kv.degraded
    assert await kv.set_if_absent_guarded(Entry("nonce:1", "m1", 60), [Entry("run:m1", "p2", 60)]) == (True, 0)
    assert await kv.set_if_absent_guarded(Entry("nonce:1", "m2", 60), [Entry("run:m2", "p2", 60)]) == (False, 0)
    await kv.set_many([Entry("draft:resident", None)])  # the draft is filed: gone from both
    assert await kv.get("draft:resident") is None
    assert await kv.set_if_absent("claim:after", "p1", 60)  # new work goes to Redis again
    assert await redis.get("claim:after") == "p1"
    await kv.close()
