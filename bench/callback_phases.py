"""``bench/callback.py --phases``: where gridline's time goes, step by step, in-process.

cProfile (--profile) multiplies the cost of every Python call, and this code path is made of
many small ones (ORM, redis-py, asyncio): it inflated the server's CPU per callback about six
times and blurred the picture. This mode instead wraps the steps of the callback path with
timers, in-process, and sends callbacks one at a time so that each step's CPU is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.callback_servers import GRIDLINE_NAMES, prepare_gridline
from bench.callback_workload import APPID, TOKEN, Workload, check_gridline
from bench.loadloops import REQUEST_TIMEOUT_S
from bench.rawhttp import Pool

# (module, attribute, label, depth): the steps of view.callback in order, then those inside
# Dialogue.answer; what the list leaves out is aiohttp, the middlewares and this client.
PHASES: tuple[tuple[str, str, str, int], ...] = (
    ("bot.wechat.view", "open_callback", "open_callback: signature, clock, XML", 0),
    ("bot.wechat.redelivery:Redelivery", "admit", "Redelivery.admit (nonce, claim, turn: one script)", 0),
    ("bot.wechat.service:Dialogue", "arrive", "Dialogue.arrive (store message, upsert resident)", 0),
    ("bot.wechat.outbox_dialogue", "release_held", "release_held (only when the resident row says so)", 0),
    ("bot.wechat.service:Dialogue", "respond", "Dialogue.respond", 0),
    ("bot.wechat.draft:DraftStore", "load", "DraftStore.load (KV GET)", 1),
    ("bot.wechat.router:Router", "dispatch", "Router.dispatch", 1),
    ("intake.grid.store:GridService", "match_address", "GridService.match_address (gazetteer)", 2),
    ("bot.wechat.redelivery:Redelivery", "remember", "Redelivery.remember (reply, draft, turn: one script)", 0),
    ("bot.wechat.view", "render_reply", "render_reply", 0),
)


@dataclass
class Step:
    calls: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0


def _timed(step: Step, fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(fn):
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:  # one callback at a time: nothing else runs while this step awaits
                step.calls, step.cpu_s = step.calls + 1, step.cpu_s + time.process_time() - cpu
                step.wall_s += time.perf_counter() - wall

        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            step.calls, step.cpu_s = step.calls + 1, step.cpu_s + time.process_time() - cpu
            step.wall_s += time.perf_counter() - wall

    return timed


def instrument() -> dict[str, Step]:
    """Wrap every step in PHASES (for the life of this process: --phases runs nothing else after)."""
    import importlib

    steps: dict[str, Step] = {}
    for target, attr, label, _ in PHASES:
        module_name, _, class_name = target.partition(":")
        owner: Any = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        steps[label] = Step()
        setattr(owner, attr, _timed(steps[label], getattr(owner, attr)))
    return steps


async def phase_run(database_url: str, redis_url: str | None, work: Path, workload: Workload, count: int,
                    steps: dict[str, Step]) -> tuple[float, float]:
    """``count`` callbacks one after another through the real app; (CPU, wall) seconds per callback."""
    import logging

    from aiohttp.test_utils import TestServer

    from bot.app import create_app
    from bot.logs import JsonFormatter
    from bot.settings import load_settings

    # As `gridline serve` logs (one JSON line a request), into a file rather than this terminal.
    handler = logging.FileHandler(work / "phases.log")
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    env = {"GRIDLINE_DATABASE_URL": database_url, "GRIDLINE_WECHAT_TOKEN": TOKEN, "GRIDLINE_WECHAT_APPID": APPID}
    if redis_url:
        env["GRIDLINE_REDIS_URL"] = redis_url
    server = TestServer(create_app(load_settings(env), sweeper=False), host="127.0.0.1")
    await server.start_server()
    pool = Pool(server.port or 0)
    try:
        async def send(requests: list[bytes]) -> None:
            for payload in requests:
                status, body = await asyncio.wait_for(pool.exchange(payload), REQUEST_TIMEOUT_S)
                why = check_gridline(status, body)
                if why is not None:
                    raise RuntimeError(why)

        await send(workload.build(min(100, count), server.port or 0))  # warm-up: pools, caches, jieba
        for step in steps.values():
            step.calls, step.cpu_s, step.wall_s = 0, 0.0, 0.0
        requests = workload.build(count, server.port or 0)
        cpu, wall = time.process_time(), time.perf_counter()
        await send(requests)
        return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count
    finally:
        pool.close()
        await server.close()


def show_phases(name: str, count: int, cpu_s: float, wall_s: float, steps: dict[str, Step]) -> None:
    print(f"\n== {name}: {count} callbacks one at a time, per callback: CPU {cpu_s * 1000:.2f} ms "
          f"(this whole process), wall {wall_s * 1000:.2f} ms")
    print(f"  {'step':<52}{'calls':>6}{'CPU ms':>9}{'share':>7}{'wall ms':>9}")
    top_cpu = 0.0
    for _, _, label, depth in PHASES:
        step = steps[label]
        top_cpu += step.cpu_s if depth == 0 else 0.0
        print(f"  {'  ' * depth + label:<52}{step.calls / count:>6.1f}{step.cpu_s / count * 1000:>9.2f}"
              f"{step.cpu_s / count / cpu_s:>7.0%}{step.wall_s / count * 1000:>9.2f}")
    rest = cpu_s - top_cpu / count
    print(f"  {'the rest: aiohttp, middlewares, task, this client':<52}{'':>6}{rest * 1000:>9.2f}"
          f"{rest / cpu_s:>7.0%}")


def phases(args: argparse.Namespace, work: Path) -> int:
    os.sched_setaffinity(0, {args.server_core})  # server and client share one core here, on purpose
    os.chdir(work)  # the in-process app's var/ (models, media) lands in the work folder, as the servers' do
    print(f"gridline callback phases — in-process, one callback at a time, core {args.server_core}; CPU is "
          "process time, wall includes waiting for PostgreSQL/Redis/SQLite")
    steps = instrument()
    workload = Workload(args.seed)
    backends = [key for key in ("gridline-pg", "gridline-sqlite") if not args.only or key in args.only]
    for key in backends:
        database_url, redis_url = prepare_gridline(key, args, work, work / f"{key}.log")
        cpu_s, wall_s = asyncio.run(phase_run(database_url, redis_url, work, workload, args.phase_count, steps))
        show_phases(GRIDLINE_NAMES[key], args.phase_count, cpu_s, wall_s, steps)
    return 0
