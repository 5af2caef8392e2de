"""The worker pool for heavy steps: a task over its time or memory budget is stopped, the loop keeps answering."""

from __future__ import annotations

import asyncio
import time

import pytest

from intake.errors import Busy
from intake.heavy import Budget, HeavyPool
from tests.reliability.bombs import hog_memory, sleep_for

pytestmark = pytest.mark.reliability


async def _stall_while(task: asyncio.Future[object]) -> float:
    """The longest gap between event-loop ticks of 50 ms while ``task`` runs."""
    worst, last = 0.0, time.perf_counter()
    while not task.done():
        await asyncio.sleep(0.05)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    return worst


async def test_over_time_is_busy_and_the_pool_recovers() -> None:
    pool = HeavyPool(Budget(seconds=1.0, workers=1))
    try:
        await pool.start()
        task = asyncio.ensure_future(pool.run(sleep_for, 60.0))
        started = time.perf_counter()
        stall = await _stall_while(task)
        with pytest.raises(Busy, match="more than 1 s"):
            task.result()
        assert time.perf_counter() - started < 10 and stall < 0.5
        assert await pool.run(sleep_for, 0.01, seconds=60) == 0.01  # a fresh worker took over
    finally:
        pool.close()


async def test_over_memory_is_busy() -> None:
    pool = HeavyPool(Budget(seconds=30.0, memory_mb=1024))
    try:
        with pytest.raises(Busy, match="memory"):
            await pool.run(hog_memory, 4096)
        assert await pool.run(hog_memory, 10) == 10 * 1024 * 1024
    finally:
        pool.close()
