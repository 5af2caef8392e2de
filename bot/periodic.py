"""Background jobs: every N seconds, in one process at a time when the job has a lock, outliving failures.

Every periodic piece of work (the SLA sweep, survey reminders, task reminders and
digests, silent-cell escalation, CAP feed polling, the taxonomy refresh) is a
:class:`Job`; the app factory hands the list to :func:`running`, one
``cleanup_ctx`` that starts them and cancels them on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.keys import KV
from bot.storage.base import KeyValueStore

log = logging.getLogger("gridline.jobs")
STOP_GRACE_S = 5.0


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    interval: float
    run: Callable[[], Awaitable[object]]
    # The shared-store key that lets one process at a time run it; None: every process runs it
    # (refreshing its own in-memory state).
    lock: str | None = None
    # Wait one interval before the first run: for a job whose start-up run is not worth its cost in
    # every process start (the statistics rollup rebuilds days; short-lived processes never need it).
    wait_first: bool = False


async def every(job: Job, kv: KeyValueStore, stopping: asyncio.Event | None = None) -> None:
    """Run ``job`` now (or after one interval, ``wait_first``) and every ``interval`` seconds until ``stopping``
    is set (or the task is cancelled)."""
    me, stopping = uuid.uuid4().hex, stopping or asyncio.Event()
    if job.wait_first:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), job.interval)
    while not stopping.is_set():
        try:
            await _once(job, kv, me)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must outlive a database or network hiccup
            log.exception("background job failed", extra={"job": job.name})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), job.interval)


async def _once(job: Job, kv: KeyValueStore, me: str) -> None:
    if job.lock is None:
        await job.run()
        return
    # The lock outlives one interval so that a slow run is not joined by another process.
    if not await kv.set_if_absent(job.lock, me, ttl_seconds=job.interval * 2):
        return
    try:
        await job.run()
    finally:
        await kv.compare_and_delete(job.lock, me)


def running(jobs: Callable[[web.Application], list[Job]]) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` that runs ``jobs(app)`` in the background while the app lives."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        stopping = asyncio.Event()
        tasks = [asyncio.create_task(every(job, app[KV], stopping), name=job.name) for job in jobs(app)]
        yield
        # Cancelling alone is not enough: a library that swallows the CancelledError in the middle
        # of a run (seen at shutdown right after start-up) left a loop sleeping on, and shutdown
        # waited for it forever. The event ends every loop at its next turn; the wait is bounded.
        stopping.set()
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
            if pending:
                log.warning("background jobs did not stop", extra={"jobs": sorted(t.get_name() for t in pending)})

    return ctx
