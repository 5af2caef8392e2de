"""A worker-process pool for CPU-heavy steps (geometry repair, image re-encoding), with a time and memory budget.

A request's heavy step must never run on the event loop: one slow ``make_valid`` froze every request of
the process, ``/healthz`` included. The step runs in a separate process that can be killed: C code
(GEOS, libjpeg) does not stop for a Python timeout, so a task over its budget takes its worker down and
the pool is rebuilt for the next request. Each worker caps its address space so a bomb cannot take the
machine's memory with it.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from intake.errors import Busy

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Budget:
    seconds: float = 5.0
    memory_mb: int = 2048  # address space per worker process; 0 leaves it unlimited
    workers: int = 1
    start_seconds: float = 120.0  # a worker's start (imports) is not counted in a task's budget
    nice: int = 0  # > 0: a lower CPU priority, for work nobody waits on (staff photos' watermarks)


PRELOAD = ("numpy", "shapely", "PIL.Image")


def _start_worker(memory_mb: int, nice: int = 0) -> None:
    for name in PRELOAD:  # before the cap: imports reserve address space a task never uses
        importlib.import_module(name)
    if nice > 0:
        os.nice(nice)
    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _ready() -> bool:
    return True


class HeavyPool:
    """``await pool.run(fn, *args)``: ``fn`` (a module-level function) in a worker within the budget."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._pool: ProcessPoolExecutor | None = None
        self._started: asyncio.Future[list[bool]] | None = None

    async def start(self) -> ProcessPoolExecutor:
        """The pool with its workers started (at most one start at a time; called again after a kill)."""
        if self._pool is None:
            # spawn, not fork: the server process holds threads and open sockets a fork would copy.
            budget = self.budget
            self._pool = ProcessPoolExecutor(budget.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(budget.memory_mb, budget.nice))
            pool = self._pool
            ready = asyncio.gather(*(asyncio.wrap_future(pool.submit(_ready)) for _ in range(self.budget.workers)))
            starting = asyncio.ensure_future(asyncio.wait_for(ready, self.budget.start_seconds))
            self._started = starting
        pool, started = self._pool, self._started
        assert started is not None
        try:
            await asyncio.shield(started)
        except (TimeoutError, BrokenProcessPool, OSError):
            self._kill(pool)
            raise Busy("the worker pool for heavy steps could not start; try again") from None
        return pool

    async def run(self, fn: Callable[..., T], *args: Any, seconds: float | None = None) -> T:
        """The result, or :class:`Busy` when the step ran over its time or memory (the worker is replaced)."""
        pool = await self.start()
        limit = seconds if seconds is not None else self.budget.seconds
        task = asyncio.wrap_future(pool.submit(fn, *args))
        began = time.monotonic()
        # asyncio.wait, not wait_for: wait_for would wait out a task already running (it cannot be cancelled).
        done, _ = await asyncio.wait({task}, timeout=limit)
        if done and time.monotonic() - began > limit:
            # Finished, but seen only after its time: a loop stalled past the timer sees both at once and
            # would count the step in time. The budget is wall time; the worker is fine and stays.
            task.add_done_callback(_retrieved)
            raise Busy(f"the request needs more than {limit:g} s of computation; simplify it")
        if not done:
            log.warning("heavy step over its time budget; its worker is stopped", extra={"seconds": limit})
            task.add_done_callback(_retrieved)  # it ends as BrokenProcessPool once its worker is killed
            self._kill(pool)
            raise Busy(f"the request needs more than {limit:g} s of computation; simplify it")
        try:
            return task.result()
        except (BrokenProcessPool, MemoryError):
            self._kill(pool)
            raise Busy("the request needs more memory than allowed; simplify it") from None

    def _kill(self, pool: ProcessPoolExecutor) -> None:
        # The executor cannot cancel a running task otherwise; a pool broken while starting has no process table.
        for proc in list((pool._processes or {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        if self._pool is pool:
            self._pool, self._started = None, None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool, self._started = None, None
