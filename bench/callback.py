"""Benchmark: 公众号 text-message callbacks (``POST /wechat``) per second and latency, against two yardsticks.

Three servers, each a single process pinned to one core, each fed the same kind of signed
明文模式 text callbacks by the same load generator:

1. **gridline** — the real service as it ships: ``gridline demo`` (migrations + demo city) on a
   fresh database, then ``gridline serve`` with ``GRIDLINE_WECHAT_TOKEN``/``GRIDLINE_WECHAT_APPID``.
   Every callback has its own MsgId, nonce and sender, so neither the nonce check nor the
   redelivery claim short-circuits: each one stores the inbound message, creates the resident,
   opens a draft and is answered "问题在哪里？" — a real dialogue turn with database writes.
   Measured on PostgreSQL + Redis (the production-like figure, goals apply) and on SQLite
   without Redis (for comparison).
2. **the limit** — a bare aiohttp handler that reads the body and returns a fixed passive-reply XML.
3. **the peer** — WeRoBot 1.13 (sessions off, a text handler returning a fixed reply) served by
   its own ``robot.run(server="waitress")`` (one process, waitress's 4 threads), installed only in
   ``.bench-venv/`` (created if missing).

Two measurements per server:

- closed loop: ``--concurrency`` connections, each sending its next request as soon as the
  previous answer arrives, for ``--seconds`` (after an uncounted warm-up) → callbacks/s;
- open loop: ``--rate`` requests/s on a fixed schedule for ``--open-seconds``, whatever the
  answers do (a new connection is opened when none is idle) → p50/p99 measured from each
  request's *scheduled* send time, so a stalled server cannot hide its queue.

Goals (PostgreSQL + Redis): throughput ≥ 0.5 × the limit's and ≥ 3 × WeRoBot's; p99 < 50 ms
at 200 requests/s with no errors. Exit status 1 when a goal is missed.

Cores: the servers run under ``taskset -c <server core>``, this process (the load generator,
requests all signed and serialised before timing) on the other core. PostgreSQL and Redis are
already running and not ours to pin: they take whatever core is free, and the per-core
utilisation printed with each run shows how much that was.

    .venv/bin/python bench/callback.py                  # everything, about 4 minutes
    .venv/bin/python bench/callback.py --phases         # where gridline's time goes, step by step
    .venv/bin/python bench/callback.py --only gridline-pg --profile   # the same, under cProfile

On a busy machine read the server's CPU per callback (``CPU ms/cb``) beside callbacks/s: a
pinned server shares its core with whatever else runs there, its CPU per callback hardly moves.

The pieces: ``bench/callback_workload.py`` (the signed callbacks and the answer checks),
``callback_servers.py`` (the three servers), ``loadloops.py`` over ``rawhttp.py`` (the load),
``cpumeter.py``, ``callback_report.py`` and ``callback_phases.py`` (``--phases``); the server
process itself is ``harness.Server``, shared with the other benchmarks.

Only loopback traffic; every phase is bounded in requests and seconds; every process started
here is stopped. The PostgreSQL database ``gridline_bench_callback`` is dropped and recreated,
and the Redis database in ``--redis`` (default 14, the benchmark's own) is flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The script's own folder holds bench/intake.py, which would shadow the ``intake`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.callback_phases import phases  # noqa: E402
from bench.callback_report import Figure, Plan, print_profile, show, summary  # noqa: E402
from bench.callback_servers import (  # noqa: E402
    REDIS_URL,
    drop_pg,
    flush_redis,
    gridline_server,
    limit_server,
    peer_server,
)
from bench.callback_workload import Workload, check_fixed, check_gridline  # noqa: E402
from bench.cpumeter import background_load  # noqa: E402
from bench.harness import PG_ADMIN_URL, Server, work_folder  # noqa: E402
from bench.loadloops import Check, closed_loop, measured, open_loop  # noqa: E402

TARGETS = ("limit", "peer", "gridline-pg", "gridline-sqlite")


@dataclass
class Target:
    """A server under test, the path that answers once it is up, and how to tell a right answer."""

    server: Server
    ready_path: str
    check: Check


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=32, help="closed loop: connections (default 32)")
    p.add_argument("--seconds", type=float, default=10.0, help="closed loop: measured seconds (default 10)")
    p.add_argument("--max-requests", type=int, default=60_000,
                   help="closed loop: requests built beforehand, the phase ends early if all are sent (60000)")
    p.add_argument("--warmup", type=int, default=1000, help="requests sent first, not counted (default 1000)")
    p.add_argument("--rate", type=float, default=200.0, help="open loop: requests per second (default 200)")
    p.add_argument("--open-seconds", type=float, default=15.0, help="open loop: seconds (default 15)")
    p.add_argument("--server-core", type=int, default=0, help="core for the server under test (default 0)")
    p.add_argument("--load-core", type=int, default=1, help="core for this load generator (default 1)")
    p.add_argument("--only", action="append", choices=TARGETS, help="run only these (repeatable; default all)")
    p.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL admin URL (default $GRIDLINE_TEST_PG or local)")
    p.add_argument("--db-params", default="",
                   help="query string for the PostgreSQL URL, e.g. maxsize=20 (Tortoise's pool, default 5)")
    p.add_argument("--redis", default=REDIS_URL, help=f"Redis for gridline-pg, flushed (default {REDIS_URL})")
    p.add_argument("--log-level", default="INFO", help="gridline's GRIDLINE_LOG_LEVEL (default INFO, as shipped)")
    p.add_argument("--port", type=int, default=18281, help="first of four loopback ports (default 18281)")
    p.add_argument("--profile", action="store_true", help="run gridline-pg under cProfile and print where CPU goes")
    p.add_argument("--phases", action="store_true",
                   help="instead of the benchmark: time each step of gridline's callback path, in-process")
    p.add_argument("--phase-count", type=int, default=500, help="--phases: callbacks per backend (default 500)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (servers' logs, the profile)")
    p.add_argument("--seed", type=int, default=20261121)
    args = p.parse_args()
    if min(args.concurrency, args.warmup, args.max_requests, args.phase_count) < 1 or min(
            args.seconds, args.rate, args.open_seconds) <= 0:
        p.error("counts, seconds and the rate must be positive")
    if args.server_core == args.load_core:
        p.error("--server-core and --load-core must differ")
    return args


async def measure(target: Target, workload: Workload, plan: Plan) -> Figure:
    server = target.server
    await server.wait_ready(target.ready_path, lambda status: status < 500)  # any answer from the application
    # Warm-up, not counted: connections, caches, the JIT-less interpreter's first-call costs, pools.
    warm = await closed_loop(server.port, workload.build(plan.warmup, server.port), plan.concurrency, 60.0,
                             target.check)
    if warm.errors:
        print(f"  warm-up: {warm.errors} errors, e.g. {warm.samples[:1]}")
    closed_requests = workload.build(plan.max_requests, server.port)
    closed = await measured(closed_loop(server.port, closed_requests, plan.concurrency, plan.seconds,
                                        target.check), server.pid)
    del closed_requests
    open_requests = workload.build(round(plan.rate * plan.open_seconds), server.port)
    opened = await measured(open_loop(server.port, open_requests, plan.rate, target.check), server.pid)
    return Figure(server.name, closed, opened)


def run_server(target: Target, workload: Workload, plan: Plan) -> Figure:
    server = target.server
    print(f"\n== {server.name}", flush=True)
    server.start(plan.server_core)
    try:
        figure = asyncio.run(measure(target, workload, plan))
    except BaseException:
        print(f"  {server.name} log, last lines:\n  {server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
    show(figure, plan)
    return figure


def bench(args: argparse.Namespace, work: Path) -> int:
    targets = args.only or list(TARGETS)
    plan = Plan(args.concurrency, args.warmup, args.seconds, args.max_requests, args.rate, args.open_seconds,
                args.server_core, args.load_core)
    # The load generator (this process) keeps to its core; servers are started on the other one.
    os.sched_setaffinity(0, {plan.load_core})
    print(f"callback benchmark: {os.cpu_count()} cores; servers pinned to core {plan.server_core} (taskset), "
          f"load generator (this process, {sys.executable}) to core {plan.load_core}; PostgreSQL and Redis "
          "unpinned")
    print(f"closed loop {plan.concurrency} connections × {plan.seconds:.0f} s (after {plan.warmup} warm-up "
          f"requests); open loop {plan.rate:.0f}/s × {plan.open_seconds:.0f} s")
    # Other work on the machine takes cores from whichever server runs: say how much there was.
    print(f"background load before starting (1 s): {background_load()}")
    workload = Workload(args.seed)
    figures: dict[str, Figure] = {}
    profile = work / "gridline.prof" if args.profile else None
    ports = iter(range(args.port, args.port + len(TARGETS)))
    if "limit" in targets:
        figures["limit"] = run_server(Target(limit_server(work, next(ports)), "/wechat", check_fixed), workload, plan)
    if "peer" in targets:
        figures["peer"] = run_server(Target(peer_server(work, next(ports)), "/wechat", check_fixed), workload, plan)
    for key in ("gridline-pg", "gridline-sqlite"):
        if key in targets:
            server = gridline_server(key, args, work, next(ports), profile if key == "gridline-pg" else None)
            figures[key] = run_server(Target(server, "/healthz", check_gridline), workload, plan)
    met = summary(figures, plan)
    if profile is not None and "gridline-pg" in figures:
        print_profile(profile, figures["gridline-pg"].closed.ok)
    if any(f.closed.cpu and f.closed.cpu.load > 0.9 for f in figures.values()):
        print("\nnote: the load generator used > 90 % of its core in a closed-loop run: that figure may be "
              "the generator's limit, not the server's")
    return 0 if met else 1


def main() -> int:
    args = parse_args()
    with work_folder("gridline-bench-callback-", args.keep) as work:
        try:
            return phases(args, work) if args.phases else bench(args, work)
        finally:
            if not args.only or "gridline-pg" in args.only:  # what a PostgreSQL run leaves: a database, Redis keys
                drop_pg(args.pg)
                flush_redis(args.redis)


if __name__ == "__main__":
    sys.exit(main())
