"""One contract over the Redis Streams queue and the in-process one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from notify.queue import MemoryQueue, Queue
from notify.queue_redis import RedisStreamQueue


@pytest.fixture(params=["memory", "redis"])
async def queue(request: pytest.FixtureRequest, name: str) -> AsyncIterator[Queue]:
    if request.param == "memory":
        yield MemoryQueue()
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisStreamQueue(client, stream=name, group="senders")
    await client.delete(name, name + ":intact")
    await client.aclose()


class TestQueueContract:
    async def test_read_in_order_and_ack(self, queue: Queue) -> None:
        await queue.add(["m1", "m2", "m3"])
        got = await queue.read("c1", count=2, block_ms=100)
        assert [d.message_id for d in got] == ["m1", "m2"] and await queue.pending() == 2
        await queue.ack([got[0].entry])
        assert await queue.pending() == 1
        rest = await queue.read("c1", count=10, block_ms=100)
        assert [d.message_id for d in rest] == ["m3"]

    async def test_each_entry_goes_to_one_consumer(self, queue: Queue) -> None:
        await queue.add([f"m{i}" for i in range(20)])
        a, b = await asyncio.gather(queue.read("a", 12, 100), queue.read("b", 12, 100))
        ids = [d.message_id for d in a + b]
        assert sorted(ids) == sorted(f"m{i}" for i in range(20)) and len(set(ids)) == 20

    async def test_empty_read_waits_then_returns_nothing(self, queue: Queue) -> None:
        started = time.monotonic()
        assert await queue.read("c1", 10, block_ms=150) == []
        assert time.monotonic() - started >= 0.12

    async def test_blocked_reader_wakes_on_add(self, queue: Queue) -> None:
        reader = asyncio.create_task(queue.read("c1", 10, block_ms=5000))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await queue.add(["late"])
        got = await reader
        assert [d.message_id for d in got] == ["late"] and time.monotonic() - started < 1.0

    async def test_dead_consumers_entries_are_reclaimed_after_idle(self, queue: Queue) -> None:
        await queue.add(["m1", "m2"])
        taken = await queue.read("dead", 10, 100)
        assert await queue.reclaim("alive", min_idle_ms=5000, count=10) == []  # not idle long enough
        await asyncio.sleep(0.15)
        claimed = await queue.reclaim("alive", min_idle_ms=100, count=10)
        assert [d.message_id for d in claimed] == ["m1", "m2"]
        assert [d.entry for d in claimed] == [d.entry for d in taken]
        await queue.ack([d.entry for d in claimed])
        assert await queue.pending() == 0
        assert await queue.reclaim("alive", min_idle_ms=0, count=10) == []

    async def test_acked_entries_are_never_reclaimed(self, queue: Queue) -> None:
        await queue.add(["m1"])
        [got] = await queue.read("c1", 10, 100)
        await queue.ack([got.entry, got.entry])  # a double ack is harmless
        await asyncio.sleep(0.05)
        assert await queue.reclaim("c2", min_idle_ms=0, count=10) == [] and await queue.pending() == 0

    async def test_lost_once_for_a_new_queue(self, queue: Queue) -> None:
        """Nothing handed to a new queue before (a new process's, a Redis never used) can be counted on."""
        assert await queue.lost() is True
        await queue.add(["m1"])
        assert await queue.lost() is False and await queue.lost() is False

    async def test_ack_of_nothing(self, queue: Queue) -> None:
        await queue.ack([])
        assert await queue.pending() == 0


async def test_two_queue_objects_share_one_redis_group(redis: Redis, name: str) -> None:
    """Two sender processes: separate clients, one stream and group."""
    first, second = RedisStreamQueue(redis, stream=name), RedisStreamQueue(redis, stream=name)
    await first.add([f"m{i}" for i in range(10)])
    a = await first.read("p1", 5, 100)
    b = await second.read("p2", 10, 100)
    assert len(a) == 5 and len(b) == 5 and not {d.message_id for d in a} & {d.message_id for d in b}
    await redis.delete(name)


async def test_idle_consumers_without_pending_entries_are_forgotten(redis: Redis, name: str) -> None:
    queue = RedisStreamQueue(redis, stream=name)
    await queue.add(["m1", "m2"])
    [first] = await queue.read("old-process", 1, 100)
    await queue.ack([first.entry])
    await queue.read("crashed-process", 1, 100)  # still holds m2
    await asyncio.sleep(0.05)
    assert await queue.forget_idle(idle_ms=30) == 1
    names = {c["name"] for c in await redis.xinfo_consumers(name, "senders")}
    assert names == {b"crashed-process"}
    await redis.delete(name)


async def test_a_vanished_stream_and_group_are_recreated(redis: Redis, name: str) -> None:
    """Redis came back empty: every group command answered NOGROUP once a second and nothing drained."""
    queue = RedisStreamQueue(redis, stream=name)
    await queue.add(["before"])
    [got] = await queue.read("c1", 10, 100)
    await queue.ack([got.entry])
    await redis.delete(name)  # the restart without persistence
    assert await queue.pending() == 0 and await queue.read("c1", 10, 50) == []
    await redis.delete(name)
    await queue.add(["after"])  # XADD recreates the stream alone; the group must come back with it
    [again] = await queue.read("c1", 10, 100)
    assert again.message_id == "after"
    await queue.ack([again.entry])
    await redis.delete(name)
    assert await queue.reclaim("c2", min_idle_ms=0, count=10) == [] and await queue.forget_idle(0) == 0
    await redis.delete(name)


async def test_a_blocked_reader_survives_the_stream_vanishing(redis: Redis, name: str) -> None:
    queue = RedisStreamQueue(redis, stream=name)
    await queue.pending()  # creates the group
    reader = asyncio.create_task(queue.read("c1", 10, block_ms=2000))
    await asyncio.sleep(0.1)
    await redis.delete(name)
    await asyncio.sleep(0.05)
    await queue.add(["later"])
    got = await reader
    more = [] if got else await queue.read("c1", 10, block_ms=500)
    assert [d.message_id for d in got + more] == ["later"]
    await redis.delete(name)


async def test_an_emptied_redis_is_reported_once_per_loss(redis: Redis, name: str) -> None:
    queue = RedisStreamQueue(redis, stream=name)
    assert await queue.lost() is True and await queue.lost() is False
    await redis.delete(name, name + ":intact")  # a restart without persistence, a FLUSHALL
    assert await queue.lost() is True and await queue.lost() is False
    await redis.delete(name, name + ":intact")
