"""Benchmark: deliveries per second through a configured rate limit, 2 sender processes.

What it measures: the whole outbound path as it ships — ``gridline sender`` ×2 (relay, Redis
Streams consumer group, the Redis token bucket both share, the DB outbox claim/record) sending
WeCom group-robot messages to the fake API server (``tests/fakes/wechat_api.py``), which
enforces the same limit (an over-limit call would be answered 45009). Messages are enqueued
first (``bench/fanout.py --enqueue``); the rate is taken from the fake server's record over the
steady part of the run (from 10 % to 90 % of the messages delivered).

Goal: ≥ 95 % of the configured limit with 2 sender processes, and no 45009 answers.

    .venv/bin/python bench/delivery.py                       # limit 100/s, 2,000 messages
    .venv/bin/python bench/delivery.py --rate 200 --seconds 15

PostgreSQL database ``gridline_bench_delivery`` is dropped and recreated; Redis: GRIDLINE_TEST_REDIS.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import outbox_kit as kit

GOAL = 0.95


async def bench(rate: float, seconds: float, senders: int) -> int:
    count = int(rate * seconds)
    name, key, stream = "gridline_bench_delivery", f"bench-{uuid.uuid4().hex[:8]}", "gridline:bench:delivery"
    url = await kit.fresh_database(name)
    port = kit.free_port()
    procs = [kit.start_fake(port, key, f"webhook_send={rate}/{rate}")]
    try:
        await asyncio.to_thread(kit.enqueue, url, count, key, "d")
        await kit.clear_stream(stream)
        env = kit.sender_env(url + "?maxsize=16", port, stream, GRIDLINE_OUTBOUND_RATES=f"wecom_robot={rate}",
                             GRIDLINE_SENDER_CONCURRENCY="64")
        procs += [kit.start_sender(env, f"bench-{i}") for i in range(senders)]
        marks = await _watch(port, count, timeout_s=seconds * 4 + 60)
        stats = kit.fake_stats(port)
        done = await kit.statuses(url)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)
        await kit.clear_stream(stream)
        await kit.drop_database(name)
    lo, hi = marks
    measured = (0.8 * count) / (hi - lo)
    refused = sum(n for k, n in stats["answers"].items() if k.endswith(" 45009"))
    print(f"{count:,} messages, {senders} sender processes, limit {rate:g}/s: {measured:,.1f} deliveries/s "
          f"over the steady 80 % ({hi - lo:.1f} s); {stats['delivered']:,} API calls, "
          f"{stats['duplicates']} duplicates, {refused} answered 45009; outbox: {done}")
    ok = measured >= GOAL * rate and done == {"delivered": count}
    print(f"goal: ≥ {GOAL:.0%} of the limit ({GOAL * rate:.1f}/s), all delivered: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


async def _watch(port: int, count: int, timeout_s: float) -> tuple[float, float]:
    """Times at which 10 % and 90 % of the messages had reached the fake server."""
    lo = hi = None
    deadline = time.monotonic() + timeout_s
    while hi is None:
        if time.monotonic() > deadline:
            raise TimeoutError("the senders did not finish")
        delivered = (await asyncio.to_thread(kit.fake_stats, port))["delivered"]
        now = time.monotonic()
        if lo is None and delivered >= 0.1 * count:
            lo = now
        if delivered >= 0.9 * count:
            hi = now
        await asyncio.sleep(0.1)
    assert lo is not None
    await asyncio.sleep(2)  # let the last ones finish before the processes stop
    return lo, hi


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=100.0, help="the channel's limit, messages per second")
    p.add_argument("--seconds", type=float, default=20.0, help="messages = rate × seconds")
    p.add_argument("--senders", type=int, default=2)
    args = p.parse_args()
    return asyncio.run(bench(args.rate, args.seconds, args.senders))


if __name__ == "__main__":
    sys.exit(main())
