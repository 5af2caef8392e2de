"""The sender loop and relay: in-memory outbox store, both queues, channels against the fake server."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from notify.backoff import Backoff
from notify.channels.local import SandboxChannel
from notify.channels.wechat import WeChatCsChannel, WeChatSubscribeChannel
from notify.queue import MemoryQueue, Queue
from notify.queue_redis import RedisStreamQueue
from notify.ratelimit import MemoryRateLimiter, Rate, RateLimiter, RedisRateLimiter
from notify.sender import Relay, Sender, SenderConfig, bucket_of
from notify.store import State
from notify.store_memory import MemoryOutboxStore
from notify.types import Attempt, Channel, Envelope, Outcome
from tests.conftest import T0, FakeClock
from tests.notify.conftest import Api

TEXT = {"msgtype": "text", "text": {"content": "已受理"}}


@dataclass
class Rig:
    store: MemoryOutboxStore
    queue: Queue
    limiter: RateLimiter
    clock: FakeClock

    def sender(self, channels: dict[str, Channel], **config: object) -> Sender:
        cfg = SenderConfig(consumer=str(config.pop("consumer", "s1")), block_ms=50, **config)  # type: ignore[arg-type]
        return Sender(self.store, self.queue, channels, self.limiter, cfg, clock=self.clock, rng=random.Random(1))

    def relay(self) -> Relay:
        return Relay(self.store, self.queue, clock=self.clock, hold_s=120)

    async def drain(self, sender: Sender, rounds: int = 50) -> None:
        """Relay and send until the queue is empty."""
        await self.relay().tick()
        for _ in range(rounds):
            if await sender.step() == 0 and await self.queue.pending() == 0:
                return


@pytest.fixture(params=["memory", "redis"])
async def rig(request: pytest.FixtureRequest, name: str) -> AsyncIterator[Rig]:
    clock = FakeClock(T0)
    if request.param == "memory":
        yield Rig(MemoryOutboxStore(), MemoryQueue(), MemoryRateLimiter(), clock)
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield Rig(MemoryOutboxStore(), RedisStreamQueue(client, stream=name), RedisRateLimiter(client, name + ":"), clock)
    await client.delete(name, name + ":intact")
    await client.aclose()


def env(i: int, channel: str = "wechat_cs", address: str = "oUser1", body: dict[str, Any] | None = None) -> Envelope:
    return Envelope(id=f"m{i}", channel=channel, address=address, kind="case.accepted",
                    body=body or {"msgtype": "text", "text": {"content": f"消息 {i}"}}, key=f"k{i}")


class Scripted:
    """A channel answering the given outcomes in order (then DELIVERED), optionally slowly."""

    def __init__(self, *outcomes: Outcome, delay: float = 0.0, raises: bool = False) -> None:
        self.outcomes, self.delay, self.raises, self.sent = list(outcomes), delay, raises, 0

    @property
    def name(self) -> str:
        return "scripted"

    async def send(self, envelope: Envelope) -> Attempt:
        await asyncio.sleep(self.delay)
        if self.raises:
            raise RuntimeError("boom")
        self.sent += 1
        return Attempt(self.outcomes.pop(0) if self.outcomes else Outcome.DELIVERED, code=7)


async def test_every_message_is_delivered_once(rig: Rig, api: Api) -> None:
    for i in range(60):
        rig.store.add(env(i, address=f"oUser{i % 7}"))
    sender = rig.sender({"wechat_cs": WeChatCsChannel(api.wechat())})
    await rig.drain(sender)
    assert len(rig.store.by_state(State.DELIVERED)) == 60
    assert len(api.fake.deliveries) == 60 and api.fake.gate.duplicates() == 0
    assert await rig.queue.pending() == 0 and await rig.relay().tick() == 0


async def test_a_doubly_queued_message_is_sent_once(rig: Rig) -> None:
    sandbox = SandboxChannel()
    rig.store.add(env(1, channel="sandbox"))
    await rig.queue.add(["m1", "m1", "unknown-id"])
    sender = rig.sender({"sandbox": sandbox})
    await sender.step()
    assert len(sandbox.items) == 1 and sender.counts["skipped"] == 2 and await rig.queue.pending() == 0


async def test_retry_waits_for_its_backoff(rig: Rig, api: Api) -> None:
    api.fake.gate.fail("custom_send", 45009)
    rig.store.add(env(1))
    sender = rig.sender({"wechat_cs": WeChatCsChannel(api.wechat())}, backoff=Backoff(base_s=10, cap_s=60))
    await rig.drain(sender)
    row = rig.store.row("m1")
    assert row.state is State.RETRY and row.next_at is not None and T0 <= row.next_at <= T0 + timedelta(seconds=10)
    assert row.attempts[0][1].code == 45009
    rig.clock.advance(seconds=11)
    await rig.drain(sender)
    assert rig.store.row("m1").state is State.DELIVERED and len(rig.store.row("m1").attempts) == 2


async def test_dead_letter_after_max_attempts(rig: Rig) -> None:
    channel = Scripted(*[Outcome.RETRY] * 10)
    rig.store.add(env(1, channel="scripted"))
    sender = rig.sender({"scripted": channel}, backoff=Backoff(base_s=1, cap_s=1, max_attempts=3))
    for _ in range(5):
        await rig.drain(sender)
        rig.clock.advance(seconds=2)
    row = rig.store.row("m1")
    assert row.state is State.DEAD and len(row.attempts) == 3 and channel.sent == 3


async def test_retry_after_overrides_backoff(rig: Rig) -> None:
    class Later(Scripted):
        async def send(self, envelope: Envelope) -> Attempt:
            return Attempt(Outcome.RETRY, retry_after_s=300)

    rig.store.add(env(1, channel="scripted"))
    await rig.drain(rig.sender({"scripted": Later()}))
    assert rig.store.row("m1").next_at == T0 + timedelta(seconds=300)


async def test_fallback_reroutes_to_a_subscribe_message(rig: Rig, api: Api) -> None:
    def reroute(envelope: Envelope, attempt: Attempt) -> Envelope | None:
        body = {"template_id": "tpl-progress", "data": {"thing1": {"value": "已受理"}}}
        return Envelope(id=envelope.id + "-sub", channel="wechat_subscribe", address=envelope.address,
                        kind=envelope.kind, body=body, key=envelope.key + ":sub")

    rig.store = MemoryOutboxStore(reroute=reroute)
    api.fake.outside_window.add("oLate")
    rig.store.add(env(1, address="oLate"))
    client = api.wechat()
    sender = rig.sender({"wechat_cs": WeChatCsChannel(client), "wechat_subscribe": WeChatSubscribeChannel(client)})
    await rig.drain(sender)
    await rig.drain(sender)
    assert rig.store.row("m1").state is State.FALLBACK and rig.store.row("m1").attempts[0][1].code == 45015
    assert rig.store.row("m1-sub").state is State.DELIVERED and api.fake.delivered("bizsend", "oLate")


async def test_unsubscribed_stops(rig: Rig, api: Api) -> None:
    api.fake.unsubscribed.add("oGone")
    rig.store.add(env(1, address="oGone"))
    await rig.drain(rig.sender({"wechat_cs": WeChatCsChannel(api.wechat())}))
    assert rig.store.row("m1").state is State.STOPPED


async def test_unknown_channel_is_dead_and_a_raising_channel_retries(rig: Rig) -> None:
    rig.store.add(env(1, channel="pigeon"))
    rig.store.add(env(2, channel="scripted"))
    await rig.drain(rig.sender({"scripted": Scripted(raises=True)}))
    assert rig.store.row("m1").state is State.DEAD and "pigeon" in rig.store.row("m1").attempts[0][1].detail
    assert rig.store.row("m2").state is State.RETRY and "boom" in rig.store.row("m2").attempts[0][1].detail


async def test_rate_limit_paces_sends(rig: Rig) -> None:
    sandbox = SandboxChannel()
    for i in range(30):
        rig.store.add(env(i, channel="sandbox"))
    sender = rig.sender({"sandbox": sandbox}, rates={"sandbox": Rate(per_s=100, burst=1)})
    started = time.monotonic()
    await rig.drain(sender)
    assert len(sandbox.items) == 30 and time.monotonic() - started >= 0.27


def test_buckets_per_address_then_channel() -> None:
    rates = {"wecom_robot:*": Rate(1 / 3, 1), "wecom_robot:vip": Rate(5, 5), "wechat_cs": Rate(100, 10)}
    assert bucket_of(env(1, "wecom_robot", "k1"), rates) == ("wecom_robot:k1", Rate(1 / 3, 1))
    assert bucket_of(env(1, "wecom_robot", "vip"), rates) == ("wecom_robot:vip", Rate(5, 5))
    assert bucket_of(env(1, "wechat_cs", "o1"), rates) == ("wechat_cs", Rate(100, 10))
    assert bucket_of(env(1, "email", "a@b.org"), rates) is None


async def test_a_long_rate_wait_gives_the_row_back(rig: Rig) -> None:
    sandbox = SandboxChannel()
    rig.store.add(env(1, channel="sandbox", address="robot-a"))
    rig.store.add(env(2, channel="sandbox", address="robot-a"))
    sender = rig.sender({"sandbox": sandbox}, rates={"sandbox:robot-a": Rate(per_s=1 / 60, burst=1)},
                        max_rate_wait_s=5)
    await rig.drain(sender)
    assert len(sandbox.items) == 1 and sender.counts["deferred"] == 1
    held = rig.store.row("m2")
    assert held.state is State.RETRY and not held.attempts and held.next_at is not None
    assert held.next_at - T0 > timedelta(seconds=50)


async def test_a_sender_killed_mid_send_loses_nothing(rig: Rig, api: Api) -> None:
    """The dead sender claimed the row and read its entry, then vanished without record or ack."""
    rig.store.add(env(1))
    await rig.relay().tick()
    await rig.queue.read("dead", 10, 50)
    assert await rig.store.claim("m1", rig.clock(), lease_s=60) is not None
    sender = rig.sender({"wechat_cs": WeChatCsChannel(api.wechat())}, consumer="alive", reclaim_idle_ms=1,
                        lease_s=60)
    await asyncio.sleep(0.01)
    await sender.step()  # reclaims the entry, but the row is still leased: skipped and acknowledged
    assert sender.counts["skipped"] == 1 and not api.fake.deliveries
    rig.clock.advance(seconds=61)  # the lease ends; the relay puts the row back
    await rig.drain(sender)
    assert rig.store.row("m1").state is State.DELIVERED and len(api.fake.deliveries) == 1


async def test_reclaimed_entry_of_a_dead_reader_is_delivered(rig: Rig) -> None:
    """The dead sender read the entry but never claimed the row: XAUTOCLAIM hands it over."""
    sandbox = SandboxChannel()
    rig.store.add(env(1, channel="sandbox"))
    await rig.relay().tick()
    await rig.queue.read("dead", 10, 50)
    await asyncio.sleep(0.02)
    await rig.sender({"sandbox": sandbox}, consumer="alive", reclaim_idle_ms=10).step()
    assert len(sandbox.items) == 1 and await rig.queue.pending() == 0


async def test_store_failure_leaves_the_entry_pending(rig: Rig) -> None:
    class Broken(MemoryOutboxStore):
        async def record(self, *args: object, **kwargs: object) -> None:
            raise ConnectionError("database gone")

    rig.store = Broken()
    rig.store.add(env(1, channel="sandbox"))
    await rig.relay().tick()
    await rig.sender({"sandbox": SandboxChannel()}).step()
    assert await rig.queue.pending() == 1


async def test_graceful_stop_finishes_the_message_in_hand(rig: Rig) -> None:
    slow = Scripted(delay=0.3)
    rig.store.add(env(1, channel="scripted"))
    await rig.relay().tick()
    stop = asyncio.Event()
    task = asyncio.create_task(rig.sender({"scripted": slow}).run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert rig.store.row("m1").state is State.DELIVERED and await rig.queue.pending() == 0


async def test_run_keeps_many_in_flight_and_delivers_all(rig: Rig) -> None:
    """run() refills free slots as messages finish: 40 messages of 0.1 s each with 20 slots take ~0.2 s."""
    slow = Scripted(delay=0.1)
    for i in range(40):
        rig.store.add(env(i, channel="scripted"))
    await rig.relay().tick()
    stop = asyncio.Event()
    sender = rig.sender({"scripted": slow}, concurrency=20, batch=8)
    started = time.monotonic()
    task = asyncio.create_task(sender.run(stop))
    while len(rig.store.by_state(State.DELIVERED)) < 40 and time.monotonic() - started < 5:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.wait_for(task, 2)
    assert len(rig.store.by_state(State.DELIVERED)) == 40 and slow.sent == 40 and elapsed < 1.0
    assert await rig.queue.pending() == 0


async def test_relay_run_stops_promptly(rig: Rig) -> None:
    rig.store.add(env(1, channel="sandbox"))
    stop = asyncio.Event()
    relay = Relay(rig.store, rig.queue, clock=rig.clock, interval_s=10)
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert [d.message_id for d in await rig.queue.read("c", 10, 50)] == ["m1"]


async def test_not_before_holds_a_message(rig: Rig) -> None:
    rig.store.add(env(1, channel="sandbox"), not_before=T0 + timedelta(hours=1))
    assert await rig.relay().tick() == 0
    rig.clock.advance(hours=1)
    assert await rig.relay().tick() == 1


async def test_a_failed_enqueue_leaves_the_rows_due(rig: Rig) -> None:
    """The relay hands rows to the queue before their hold is kept: a failure (or a crash) in between
    must not leave them held with no queue entry."""
    rig.store.add(env(1))
    now = rig.clock()

    async def down(ids: list[str]) -> None:
        raise ConnectionError("redis went away")

    with pytest.raises(ConnectionError):
        await rig.store.due(now, 10, 600, down)
    queued: list[str] = []

    async def keep(ids: list[str]) -> None:
        queued.extend(ids)

    assert await rig.store.due(now, 10, 600, keep) == ["m1"] and queued == ["m1"]
    assert await rig.store.due(now, 10, 600, keep) == [] and queued == ["m1"]  # held now: it is on the queue


async def test_the_outbox_drains_after_redis_comes_back_empty(rig: Rig) -> None:
    """Redis restarted without its data: the stream and group are gone. A red alert issued afterwards stayed
    pending with 0 attempts (NOGROUP once a second); entries lost with Redis are re-queued after their hold."""
    sandbox = SandboxChannel()
    sender = rig.sender({"sandbox": sandbox})
    rig.store.add(env(1, channel="sandbox"))
    await rig.drain(sender)
    rig.store.add(env(2, channel="sandbox"))
    assert await rig.relay().tick() == 1  # m2's entry is in the stream …
    if isinstance(rig.queue, RedisStreamQueue):
        await rig.queue._redis.delete(rig.queue._stream)  # … and Redis comes back empty
    else:
        rig.queue = MemoryQueue()
    rig.store.add(env(3, channel="sandbox"))  # issued after the outage
    sender = rig.sender({"sandbox": sandbox})
    await rig.drain(sender)
    assert rig.store.row("m3").state is State.DELIVERED
    rig.clock.advance(seconds=121)  # m2's hold expires: the relay queues it again
    await rig.drain(sender)
    assert {r.envelope.id for r in rig.store.by_state(State.DELIVERED)} == {"m1", "m2", "m3"}


async def test_rows_handed_to_a_queue_that_lost_them_come_back_at_once(rig: Rig, name: str,
                                                                       request: pytest.FixtureRequest) -> None:
    """Redis back empty (or a new process's in-process queue): the rows handed to the queue before are due at
    the next tick, not after their hold; a retry waiting out its backoff is not one of them."""
    rig.store.add(env(1, channel="sandbox"))
    rig.store.add(env(2, channel="sandbox"))
    assert await rig.relay().tick() == 2
    assert await rig.store.claim("m2", rig.clock(), 60) is not None
    await rig.store.record("m2", Attempt(Outcome.RETRY, detail="busy"), State.RETRY,
                           rig.clock() + timedelta(seconds=30), rig.clock())
    assert await rig.relay().tick() == 0  # m1 is held for the queue, m2 for its backoff
    if isinstance(rig.queue, RedisStreamQueue):
        client = Redis.from_url(request.getfixturevalue("redis_url"))
        await client.delete(name, name + ":intact")  # what a restart without persistence does
        await client.aclose()
    else:
        rig.queue = MemoryQueue()  # a new process
    assert await rig.relay().tick() == 1
    assert [d.message_id for d in await rig.queue.read("c", 10, 50)] == ["m1"]
    assert await rig.relay().tick() == 0  # once per loss


class DownLimiter:
    """The rate limiter's Redis gone."""

    async def try_take(self, bucket: str, rate: Rate, n: int = 1) -> float:
        raise ConnectionError("redis went away")

    async def reserve(self, bucket: str, rate: Rate, n: int = 1) -> float:
        raise ConnectionError("redis went away")


async def test_a_row_claimed_as_the_limiters_redis_dies_is_given_back_at_once(rig: Rig) -> None:
    """Not held as the sender's until its lease ends: due again now, untried."""
    rig.store.add(env(1, channel="sandbox"))
    cfg = SenderConfig(consumer="s1", block_ms=50, rates={"sandbox": Rate(per_s=10, burst=1)})
    sender = Sender(rig.store, rig.queue, {"sandbox": SandboxChannel()}, DownLimiter(), cfg, clock=rig.clock)
    with pytest.raises(ConnectionError):
        await sender.handle("m1")
    row = rig.store.row("m1")
    assert (row.state, row.next_at, row.attempts) == (State.RETRY, rig.clock(), [])
    assert await rig.relay().tick() == 1
