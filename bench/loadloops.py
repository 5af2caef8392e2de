"""The two ways a benchmark sends load: a closed loop (each connection waits for its answer) and an open
loop (requests on a fixed schedule, whatever the answers do); and the CPU each phase used."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.cpumeter import CpuMeter, CpuShare
from bench.rawhttp import Pool

REQUEST_TIMEOUT_S = 10.0
MAX_OPEN_CONNECTIONS = 512  # open loop: beyond this many requests in flight, count errors instead


@dataclass
class Result:
    """One measured phase."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    samples: list[str] = field(default_factory=list)  # the first few error descriptions
    wall_s: float = 0.0
    sent: int = 0
    cpu: CpuShare | None = None

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    def ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def server_ms_per_callback(self) -> float:
        """Server CPU per answered callback: unlike callbacks/s, barely moved by other load on the machine."""
        if self.cpu is None or not self.ok:
            return float("nan")
        return self.cpu.server * self.cpu.wall_s / self.ok * 1000

    def fail(self, why: str) -> None:
        self.errors += 1
        if len(self.samples) < 3:
            self.samples.append(why[:200])


Check = Callable[[int, bytes], str | None]  # None when the answer is right, else why not


async def _exchange(pool: Pool, payload: bytes, check: Check, result: Result, since: float,
                    clock: Callable[[], float]) -> None:
    """One request: its latency from ``since`` (on ``clock``) when the answer is right, else a failure."""
    try:
        status, body = await asyncio.wait_for(pool.exchange(payload), REQUEST_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        result.fail(repr(exc))
        return
    why = check(status, body)
    if why is None:
        result.latencies.append(clock() - since)
    else:
        result.fail(why)


async def closed_loop(port: int, requests: Sequence[bytes], concurrency: int, seconds: float, check: Check) -> Result:
    """``concurrency`` workers, each waiting for its answer before the next request; stop after ``seconds``."""
    result, pool = Result(), Pool(port)
    queue: Iterator[bytes] = iter(requests)  # shared; next() cannot interleave between awaits
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        for payload in queue:
            t0 = time.perf_counter()
            if t0 > deadline:
                return
            result.sent += 1
            await _exchange(pool, payload, check, result, t0, time.perf_counter)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        result.wall_s = time.perf_counter() - started
        pool.close()
    return result


async def open_loop(port: int, requests: Sequence[bytes], rate: float, check: Check) -> Result:
    """Request ``i`` is due at ``start + i / rate`` whether or not earlier ones were answered."""
    result, pool = Result(), Pool(port)
    loop = asyncio.get_running_loop()
    in_flight: set[asyncio.Task[None]] = set()

    async def one(payload: bytes, due: float) -> None:
        await _exchange(pool, payload, check, result, due, loop.time)  # from the schedule: client queueing counts

    started = loop.time() + 0.05
    try:
        for i, payload in enumerate(requests):
            due = started + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            result.sent += 1
            if len(in_flight) >= MAX_OPEN_CONNECTIONS:
                result.fail(f"more than {MAX_OPEN_CONNECTIONS} requests in flight")
                continue
            task = asyncio.create_task(one(payload, due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(set(in_flight))
    finally:
        result.wall_s = loop.time() - started
        pool.close()
    return result


async def measured(phase: Coroutine[Any, Any, Result], server_pid: int) -> Result:
    """``phase`` run with the CPU it and the server used (``Result.cpu``)."""
    # The load generator's own full collections (the prebuilt requests are tens of thousands of
    # objects) stalled its schedule by tens of ms and were charged to whichever server it measured:
    # freeze what exists and pause the collector while timing (the phase allocates little).
    gc.collect()
    gc.freeze()
    gc.disable()
    meter = CpuMeter(server_pid)  # the coroutine only starts running when awaited, below
    try:
        result = await phase
    finally:
        gc.enable()
        gc.unfreeze()
    result.cpu = meter.stop()
    return result
