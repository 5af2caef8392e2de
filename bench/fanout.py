"""Benchmark: time to enqueue 100,000 outbound messages into the transactional outbox (PostgreSQL).

What it measures: ``OutboxNotifier.publish`` as the domain calls it — one
transaction per batch of notifications (a broadcast alert to every resident of a
district is this shape), rows written with their idempotency keys. Nothing is
sent; ``bench/delivery.py`` measures sending.

Goal: 100,000 messages enqueued in ≤ 20 s (≥ 5,000 messages/s) on one process.

    .venv/bin/python bench/fanout.py                 # 100,000 into a fresh database gridline_bench_fanout
    .venv/bin/python bench/fanout.py --count 20000
    .venv/bin/python bench/fanout.py --enqueue --database URL --count N --robot KEY --prefix P
        (used by bench/delivery.py and the crash test: prints the seconds on the last line)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import outbox_kit as kit
from intake.store import db
from intake.store.models_outbox import GridGroup
from notify.types import Notification, Recipient
from outbox.notifier import OutboxNotifier

GOAL_S = 20.0
BATCH = 1000


async def enqueue(url: str, count: int, robot_key: str, prefix: str) -> float:
    await db.migrate(url)
    await db.open_db(url)
    try:
        now = datetime.now(UTC)
        await GridGroup.update_or_create(grid_code=kit.GRID, defaults={
            "webhook_key": robot_key, "updated_at": now, "updated_by": "bench"})
        notifier = OutboxNotifier()
        started = time.perf_counter()
        for first in range(0, count, BATCH):
            await notifier.publish([
                Notification("bench.ping", Recipient("grid_group", kit.GRID), f"{prefix}:{i}",
                             payload={"text": f"message {prefix}:{i}"})
                for i in range(first, min(count, first + BATCH))])
        return time.perf_counter() - started
    finally:
        await db.close_db()


async def bench(count: int) -> int:
    name = "gridline_bench_fanout"
    url = await kit.fresh_database(name)
    try:
        seconds = await enqueue(url, count, "bench-robot-key", "fan")
        rows = sum((await kit.statuses(url)).values())
    finally:
        await kit.drop_database(name)
    scaled = seconds * 100_000 / count
    print(f"enqueued {rows:,} messages in {seconds:.2f} s = {count / seconds:,.0f} messages/s "
          f"(batches of {BATCH}, one transaction each)")
    ok = scaled <= GOAL_S and rows == count
    print(f"goal: 100,000 in ≤ {GOAL_S:.0f} s → {scaled:.1f} s for 100,000: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--enqueue", action="store_true", help="only enqueue into --database (for other benches)")
    p.add_argument("--database")
    p.add_argument("--robot", default="bench-robot-key")
    p.add_argument("--prefix", default="m")
    args = p.parse_args()
    if args.enqueue:
        print(f"{asyncio.run(enqueue(args.database, args.count, args.robot, args.prefix)):.3f}")
        return 0
    return asyncio.run(bench(args.count))


if __name__ == "__main__":
    sys.exit(main())
