"""Background jobs: one process at a time under a lock, every process without one, failures survived."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from bot.keys import KV
from bot.periodic import Job, every, running
from bot.storage.memory import MemoryStore


async def _spin(job: Job, kv: MemoryStore, seconds: float) -> None:
    task = asyncio.create_task(every(job, kv))
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_job_held_by_another_process_does_not_run() -> None:
    kv, runs = MemoryStore(), []
    assert await kv.set_if_absent("lock:t1", "someone-else", 60)

    async def work() -> None:
        runs.append(1)

    await _spin(Job("t1", 0.01, work, "lock:t1"), kv, 0.1)
    assert runs == []
    assert await kv.get("lock:t1") == "someone-else"  # never released by a process that did not take it


async def test_the_lock_is_released_after_each_run_and_failures_do_not_end_the_loop() -> None:
    kv, runs = MemoryStore(), []

    async def flaky() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("database hiccup")

    await _spin(Job("t2", 0.01, flaky, "lock:t2"), kv, 0.15)
    assert len(runs) >= 3
    assert await kv.get("lock:t2") is None


async def test_two_processes_share_a_locked_job_but_each_runs_an_unlocked_one() -> None:
    kv, locked, unlocked = MemoryStore(), [], []

    async def slow() -> None:
        locked.append(1)
        await asyncio.sleep(0.05)

    async def mine() -> None:
        unlocked.append(1)

    shared, own = Job("t3", 0.2, slow, "lock:t3"), Job("t3-own", 0.2, mine)
    tasks = [asyncio.create_task(every(job, kv)) for job in (shared, shared, own, own)]
    await asyncio.sleep(0.02)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert (len(locked), len(unlocked)) == (1, 2)


async def test_running_starts_the_jobs_and_cancels_them_on_cleanup() -> None:
    app, started, stopped = web.Application(), asyncio.Event(), asyncio.Event()
    app[KV] = MemoryStore()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()

    ctx = running(lambda _: [Job("t4", 1.0, forever)])(app)
    await ctx.__anext__()
    await asyncio.wait_for(started.wait(), 1)
    with contextlib.suppress(StopAsyncIteration):  # what aiohttp's cleanup does: resume past the yield
        await ctx.__anext__()
    assert stopped.is_set()


async def test_shutdown_ends_a_loop_whose_job_swallowed_the_cancellation() -> None:
    """A library that catches CancelledError mid-run must not keep shutdown waiting on a sleeping loop."""
    app, running_now = web.Application(), asyncio.Event()
    app[KV] = MemoryStore()
    runs = []

    async def swallows() -> None:
        runs.append(1)
        running_now.set()
        with contextlib.suppress(asyncio.CancelledError):  # as some drivers do around a query
            await asyncio.sleep(3600)

    ctx = running(lambda _: [Job("t5", 3600.0, swallows)])(app)
    await ctx.__anext__()
    await asyncio.wait_for(running_now.wait(), 1)
    with contextlib.suppress(StopAsyncIteration):
        await asyncio.wait_for(ctx.__anext__(), 2)  # before: waited for the hour-long interval
    assert runs == [1]


async def test_a_job_that_waits_first_runs_only_after_its_interval() -> None:
    kv, runs = MemoryStore(), []

    async def work() -> None:
        runs.append(1)

    await _spin(Job("t9", 0.3, work, wait_first=True), kv, 0.1)
    assert runs == []  # stopped before its first interval ended: never ran
    await _spin(Job("t9", 0.05, work, wait_first=True), kv, 0.3)
    assert runs  # it does run once its interval has passed
