"""The database outbox as senders use it: claim once, record, due, dead letters; a relay + sender end to end."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from intake.cases.context import CaseContext
from intake.store.models_outbox import GridGroup, OutboxMessage
from notify.channels.local import SandboxChannel
from notify.queue import MemoryQueue, Queue
from notify.queue_redis import RedisStreamQueue
from notify.ratelimit import MemoryRateLimiter
from notify.relay import Relay
from notify.sender import Sender, SenderConfig
from notify.store import State
from notify.types import Attempt, Notification, Outcome, Recipient
from outbox.store import DbOutboxStore, requeue
from tests.conftest import Services
from tests.outbox.conftest import decisions, row


async def grid_message(octx: CaseContext, store: DbOutboxStore, svc: Services, key: str, leaf: str) -> int:
    await octx.notifier.publish([Notification("case.task", Recipient("grid_group", leaf), key)])
    mid = int((await row(key)).id)
    await store.route_pending(svc.clock.now, only=[mid])
    return mid


@pytest.fixture
async def leaf(svc: Services, uid: str) -> str:
    code = svc.ctx.grid.index.leaves[-2].code
    await GridGroup.filter(grid_code=code).delete()
    await GridGroup.create(grid_code=code, webhook_key=f"key-{uid}", updated_at=svc.clock.now, updated_by="t")
    return code


async def test_a_row_is_claimed_by_one_sender_and_never_after_delivery(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str, leaf: str) -> None:
    mid = str(await grid_message(octx, store, svc, f"c{uid}", leaf))
    now = svc.clock.now
    envelope = await store.claim(mid, now, 60)
    assert envelope is not None and (envelope.channel, envelope.address) == ("wecom_robot", f"key-{uid}")
    assert envelope.body["msgtype"] == "markdown" and envelope.key == f"c{uid}"
    assert await store.claim(mid, now, 60) is None  # leased
    assert await store.claim(mid, now + timedelta(seconds=61), 60) is not None  # the lease ran out: a dead sender
    await store.record(mid, Attempt(Outcome.DELIVERED), State.DELIVERED, None, now)
    assert await store.claim(mid, now + timedelta(hours=1), 60) is None
    msg = await row(f"c{uid}")
    assert (msg.status, msg.attempts) == ("delivered", 1) and msg.last_error is None
    assert await store.claim("not-a-number", now, 60) is None and await store.claim("999999999", now, 60) is None


async def test_a_failed_enqueue_leaves_the_rows_due(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str, leaf: str) -> None:
    """The queue is written inside the transaction that holds the rows back: a relay that fails (or dies)
    before its rows are on the queue leaves them due, not held for hold_s with no queue entry."""
    mid = str(await grid_message(octx, store, svc, f"q{uid}", leaf))
    now = svc.clock.now

    async def down(ids: list[str]) -> None:
        raise ConnectionError("redis went away")

    with pytest.raises(ConnectionError):
        await store.due(now, 100_000, 600, down)
    queued: list[str] = []

    async def keep(ids: list[str]) -> None:
        queued.extend(ids)

    assert mid in await store.due(now, 100_000, 600, keep) and mid in queued
    assert mid not in await store.due(now, 100_000, 600, keep)  # held now: it is on the queue


async def test_retries_come_back_when_due_and_dead_letters_can_be_requeued(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str, leaf: str) -> None:
    mid = await grid_message(octx, store, svc, f"r{uid}", leaf)
    now = svc.clock.now
    assert await store.claim(str(mid), now, 60) is not None
    await store.record(str(mid), Attempt(Outcome.RETRY, 45009, "api freq out of limit"), State.RETRY,
                       now + timedelta(seconds=30), now)
    assert str(mid) not in await store.due(now, 1000, 120)
    assert str(mid) in await store.due(now + timedelta(seconds=31), 1000, 120)
    assert str(mid) not in await store.due(now + timedelta(seconds=32), 1000, 120)  # held back: already queued
    assert await store.claim(str(mid), now + timedelta(seconds=33), 60) is not None
    await store.record(str(mid), Attempt(Outcome.DEAD, 40003, "invalid openid"), State.DEAD, None, now)
    dead = await row(f"r{uid}")
    assert (dead.status, dead.attempts, dead.last_code, dead.last_error) == ("dead", 2, 40003, "40003 invalid openid")
    assert await requeue(mid, "user:1", now) is True
    assert await requeue(mid, "user:1", now) is False  # no longer dead
    again = await row(f"r{uid}")
    assert (again.status, again.channel, again.attempts) == ("pending", "", 0)
    assert [d[2] for d in await decisions(f"r{uid}")] == ["group", "retry", "dead", "requeued"]


async def test_a_sender_that_died_mid_send_leaves_its_row_for_the_next(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str, leaf: str) -> None:
    mid = str(await grid_message(octx, store, svc, f"d{uid}", leaf))
    now = svc.clock.now
    assert await store.claim(mid, now, 60) is not None
    assert mid not in await store.due(now + timedelta(seconds=30), 1000, 120)
    assert mid in await store.due(now + timedelta(seconds=61), 1000, 120)
    assert (await row(f"d{uid}")).status == "retry"


@pytest.mark.parametrize("queue_kind", ["memory", "redis"])
async def test_relay_and_sender_deliver_through_the_queue(
        octx: CaseContext, store: DbOutboxStore, svc: Services, uid: str, leaf: str, queue_kind: str,
        request: pytest.FixtureRequest) -> None:
    redis = None
    queue: Queue = MemoryQueue()
    if queue_kind == "redis":
        redis = Redis.from_url(request.getfixturevalue("redis_url"))
        queue = RedisStreamQueue(redis, stream=f"test:outbox:{uid}", group="senders")
    keys = [f"e{i}{uid}" for i in range(5)]
    await octx.notifier.publish([Notification("case.task", Recipient("grid_group", leaf), k) for k in keys])
    sandbox = SandboxChannel()
    sender = Sender(store, queue, {"wecom_robot": sandbox}, MemoryRateLimiter(),
                    SenderConfig(consumer=f"t{uid}", block_ms=50), svc.clock)
    relay = Relay(store, queue, svc.clock)
    try:
        await relay.tick()
        for _ in range(20):
            await sender.step()
            if len([e for e in sandbox.items if e.key in keys]) == len(keys):
                break
            await asyncio.sleep(0.05)
    finally:
        if redis is not None:
            await redis.delete(f"test:outbox:{uid}")
            await redis.aclose()
    assert sorted(e.key for e in sandbox.items if e.key in keys) == sorted(keys)
    assert {(await row(k)).status for k in keys} == {"delivered"}
    assert await OutboxMessage.filter(key__in=keys, attempts=1).count() == len(keys)
