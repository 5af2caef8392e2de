"""The sender loop (the relay, which feeds it, is in :mod:`notify.relay`).

The relay moves due outbox rows onto the queue; a sender reads ids from the queue, claims each row
(the idempotency check: never sent twice at once, never after delivery), waits for a rate-limit token,
sends it through its channel, records the attempt and the next state, and acknowledges the entry.
Delivery is at least once: a sender killed between the send and the record sends that message again
after its lease ends; everything else is exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from notify.backoff import Backoff
from notify.queue import Delivery, Queue
from notify.ratelimit import Rate, RateLimiter
from notify.relay import Relay
from notify.store import OutboxStore, State
from notify.types import Attempt, Channel, Envelope, Outcome

__all__ = ["Clock", "Relay", "Sender", "SenderConfig", "bucket_of", "decide", "utcnow"]

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

STATES = {Outcome.DELIVERED: State.DELIVERED, Outcome.FALLBACK: State.FALLBACK, Outcome.STOP: State.STOPPED,
          Outcome.DEAD: State.DEAD}


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SenderConfig:
    consumer: str  # unique per process
    batch: int = 64
    concurrency: int = 32
    block_ms: int = 1000
    lease_s: float = 60.0
    max_rate_wait_s: float = 20.0  # a longer rate-limit wait gives the row back instead (it would outlive the lease)
    reclaim_idle_ms: int = 60_000
    # "channel:address", "channel:*" (one bucket per address, e.g. each robot webhook 20/min) or "channel" -> Rate
    rates: Mapping[str, Rate] = field(default_factory=dict)
    backoff: Backoff = field(default_factory=Backoff)


def bucket_of(envelope: Envelope, rates: Mapping[str, Rate]) -> tuple[str, Rate] | None:
    """The bucket this message draws from: per-address buckets take precedence over the channel's."""
    own = f"{envelope.channel}:{envelope.address}"
    for key, bucket in ((own, own), (f"{envelope.channel}:*", own), (envelope.channel, envelope.channel)):
        if key in rates:
            return bucket, rates[key]
    return None


def decide(envelope: Envelope, attempt: Attempt, backoff: Backoff, now: datetime,
           rng: random.Random | None = None) -> tuple[State, datetime | None]:
    """The row's next state after ``attempt`` (its ``attempts`` counts the tries before this one)."""
    if attempt.outcome is not Outcome.RETRY:
        return STATES[attempt.outcome], None
    tries = envelope.attempts + 1
    if backoff.exhausted(tries):
        return State.DEAD, None
    delay = attempt.retry_after_s if attempt.retry_after_s is not None else backoff.delay(tries, rng)
    return State.RETRY, now + timedelta(seconds=delay)


class Sender:
    def __init__(self, store: OutboxStore, queue: Queue, channels: Mapping[str, Channel], limiter: RateLimiter,
                 config: SenderConfig, clock: Clock = utcnow, rng: random.Random | None = None) -> None:
        self._store, self._queue, self._channels, self._limiter = store, queue, channels, limiter
        self.config, self._clock, self._rng = config, clock, rng
        self._slots = asyncio.Semaphore(config.concurrency)
        self._last_reclaim = 0.0
        self.counts: Counter[str] = Counter()  # outcomes and "skipped", for logs and benchmarks

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set, keeping up to ``concurrency`` messages in flight (no batch waits for its
        slowest message); the messages in hand are finished and acknowledged before returning."""
        inflight: set[asyncio.Task[None]] = set()
        acks: list[str] = []
        while not stop.is_set():
            try:
                await self._flush(acks)
                free = self.config.concurrency - len(inflight)
                if free <= 0:
                    await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                deliveries = await self._reclaim()
                deliveries += await self._queue.read(self.config.consumer, min(free, self.config.batch),
                                                     self.config.block_ms)
            except Exception:  # the queue is down: wait; unacknowledged entries stay pending
                log.exception("sender loop failed")
                await asyncio.sleep(1.0)
                continue
            for delivery in deliveries:
                task = asyncio.create_task(self._one(delivery, acks))
                inflight.add(task)
                task.add_done_callback(inflight.discard)
        if inflight:
            await asyncio.wait(inflight)
        await self._flush(acks)

    async def _one(self, delivery: Delivery, acks: list[str]) -> None:
        if await self._guarded(delivery):
            acks.append(delivery.entry)

    async def _flush(self, acks: list[str]) -> None:
        if acks:
            entries = acks[:]
            del acks[:]
            await self._queue.ack(entries)

    async def step(self) -> int:
        """One batch, start to finish (tests and one-shot runs)."""
        deliveries = await self._reclaim()
        deliveries += await self._queue.read(self.config.consumer, self.config.batch, self.config.block_ms)
        done = await asyncio.gather(*(self._guarded(d) for d in deliveries))
        await self._queue.ack([d.entry for d, ok in zip(deliveries, done, strict=True) if ok])
        return len(deliveries)

    async def _reclaim(self) -> list[Delivery]:
        # Entries a dead sender read but never acknowledged; checked every half idle period.
        if (time.monotonic() - self._last_reclaim) * 1000 < self.config.reclaim_idle_ms / 2:
            return []
        self._last_reclaim = time.monotonic()
        return await self._queue.reclaim(self.config.consumer, self.config.reclaim_idle_ms, self.config.batch)

    async def _guarded(self, delivery: Delivery) -> bool:
        """True when the entry may be acknowledged (handled, or nothing to do)."""
        async with self._slots:
            try:
                await self.handle(delivery.message_id)
            except Exception:  # store failure: leave the entry pending, it is reclaimed later
                log.exception("message %s not handled", delivery.message_id)
                return False
            return True

    async def handle(self, message_id: str) -> None:
        envelope = await self._store.claim(message_id, self._clock(), self.config.lease_s)
        if envelope is None:
            self.counts["skipped"] += 1
            return
        try:
            wait = await self._rate_wait(envelope)
        except Exception:
            # The limiter lives in Redis: with Redis down the row goes back now, not held as ours until the lease
            # ends (seen: 23 cards claimed as Redis died sent 45 s after a 15 s outage ended).
            await self._store.release(message_id, self._clock())
            raise
        if wait > self.config.max_rate_wait_s:
            self.counts["deferred"] += 1
            await self._store.release(message_id, self._clock() + timedelta(seconds=wait))
            return
        if wait > 0:
            await asyncio.sleep(wait)
        attempt = await self._send(envelope)
        now = self._clock()
        state, next_at = decide(envelope, attempt, self.config.backoff, now, self._rng)
        self.counts[state.value] += 1
        await self._store.record(message_id, attempt, state, next_at, now)

    async def _rate_wait(self, envelope: Envelope) -> float:
        """Reserve this message's slot in its bucket; the seconds until the slot comes."""
        found = bucket_of(envelope, self.config.rates)
        if found is None or envelope.channel not in self._channels:
            return 0.0
        return await self._limiter.reserve(*found)

    async def _send(self, envelope: Envelope) -> Attempt:
        channel = self._channels.get(envelope.channel)
        if channel is None:
            return Attempt(Outcome.DEAD, detail=f"no channel {envelope.channel!r}")
        try:
            return await channel.send(envelope)
        except Exception as exc:  # channels must not raise; if one does, treat it as transient
            log.exception("channel %s raised", envelope.channel)
            return Attempt(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
