"""Benchmark: cases opened per second through the HTTP API (``POST /admin/v1/reports``).

What it measures: the real service as it ships. ``gridline demo`` migrates a fresh
database and loads the demo city (Shenzhen 大鹏新区); ``gridline serve`` runs in its own
process; this process is only the load generator (aiohttp client, ``--concurrency``
requests in flight). Every report is classified, placed, timed, checked for
duplicates and written with its hash-chained events, exactly as in production.

Workload: varied resident-style Chinese complaints; 90 % carry a point inside a grid
cell (sampled through ``GET /admin/v1/grid/locate`` before the run), 10 % only an
address the gazetteer knows (the hotline case). A warm-up runs first and is not counted.

Goal: ≥ 300 cases/s on PostgreSQL. Only loopback traffic; bounded in count and time.

    .venv/bin/python bench/intake.py                  # PostgreSQL (GRIDLINE_TEST_PG's server)
    .venv/bin/python bench/intake.py --sqlite         # the SQLite file backend, to compare
    .venv/bin/python bench/intake.py --profile        # server under cProfile: where the time goes

The PostgreSQL database ``gridline_bench`` on that server is dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

# No import of the project's packages here: this file is named ``intake.py``, and the
# load generator only needs HTTP. The server is a child process started from the repository.
# The bench folder's own helpers are imported as ``bench.…`` from the repository root.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import pgdb  # noqa: E402
from bench.harness import (  # noqa: E402
    PG_ADMIN_URL,
    Server,
    cpu_seconds,
    gridline_argv,
    gridline_env,
    load_demo,
    work_folder,
)
from bench.harness import print_profile as show_profile  # noqa: E402
from bench.texts import COMPLAINTS, TAILS  # noqa: E402

DB_NAME = "gridline_bench"
GOAL = 300.0
# A box around 大鹏新区 (both the shared boundary and the synthetic outline lie inside it);
# points are kept only when the service places them strictly inside a grid cell.
BOX = (114.40, 22.44, 114.64, 22.68)
ADDRESS_ONLY_SHARE = 0.10
POINT_TRIES = 6000

# fmt: off
PLACES = ("大鹏所城", "较场尾", "金沙湾", "南澳墟镇", "西涌海滩", "东涌", "杨梅坑", "七娘山", "葵涌中心小学",
          "坝光银叶树", "葵鹏路", "迎宾路", "鹏飞路", "坪西路", "桔钓沙", "鹅公湾")
SPOTS = ("门口", "对面", "旁边", "路口", "停车场", "公交站旁", "小区后门", "菜市场边上", "海边步道", "村口")
CHANNELS = ("hotline", "wechat", "app", "12345")
# fmt: on


@dataclass
class Run:
    """Outcome of one batch of reports."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)  # the first few error texts, to show
    wall_s: float = 0.0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--reports", type=int, default=3000, help="measured reports (default 3000)")
    p.add_argument("-c", "--concurrency", type=int, default=32, help="requests in flight (default 32)")
    p.add_argument("--warmup", type=int, default=200, help="reports sent first, not counted (default 200)")
    p.add_argument("--points", type=int, default=400, help="distinct in-grid points to use (default 400)")
    p.add_argument("--sqlite", action="store_true", help="use an SQLite file instead of PostgreSQL")
    p.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL admin URL (default $GRIDLINE_TEST_PG or local)")
    p.add_argument("--db-params", default="",
                   help="query string added to the PostgreSQL URL, e.g. maxsize=20 (Tortoise's pool size, default 5)")
    p.add_argument("--port", type=int, default=18181, help="loopback port for the server (default 18181)")
    p.add_argument("--log-level", default="INFO", help="the server's GRIDLINE_LOG_LEVEL (default INFO, as shipped)")
    p.add_argument("--max-seconds", type=float, default=300.0, help="stop sending after this long (default 300)")
    p.add_argument("--profile", action="store_true", help="run the server under cProfile and print its top functions")
    p.add_argument("--keep", action="store_true", help="keep the database and the work folder afterwards")
    p.add_argument("--seed", type=int, default=20261121)
    args = p.parse_args()
    if args.reports < 1 or args.concurrency < 1 or args.warmup < 0 or args.points < 1:
        p.error("--reports, --concurrency and --points must be ≥ 1, --warmup ≥ 0")
    return args


# -- database ------------------------------------------------------------------------


async def recreate_pg(admin_url: str) -> str:
    return await pgdb.fresh_database(admin_url, DB_NAME)


async def drop_pg(admin_url: str) -> None:
    await pgdb.drop_database(admin_url, DB_NAME)


# -- the server --------------------------------------------------------------------


def backend_cpu(database: str) -> dict[int, float]:
    """CPU of each PostgreSQL backend serving ``database`` (their titles name it), by pid."""
    out: dict[int, float] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            cpu = cpu_seconds(int(proc.name))
            if cpu is not None:
                out[int(proc.name)] = cpu
    return out


# -- the workload ------------------------------------------------------------------


async def sample_points(session: aiohttp.ClientSession, base: str, rng: random.Random,
                        wanted: int) -> list[tuple[float, float]]:
    """Points the service places inside a grid cell, found by asking it (no copy of the grid here)."""
    points: list[tuple[float, float]] = []
    for _ in range(POINT_TRIES):
        if len(points) >= wanted:
            break
        lng, lat = round(rng.uniform(BOX[0], BOX[2]), 6), round(rng.uniform(BOX[1], BOX[3]), 6)
        async with session.get(f"{base}/admin/v1/grid/locate", params={"lat": str(lat), "lng": str(lng)}) as resp:
            if resp.status == 200 and (await resp.json())["inside"]:
                points.append((lng, lat))
    if not points:
        raise RuntimeError("no point of the search box fell inside a grid cell; is the demo city loaded?")
    return points


def make_reports(count: int, points: list[tuple[float, float]], rng: random.Random, tag: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(count):
        place, spot = rng.choice(PLACES), rng.choice(SPOTS)
        text = f"{place}{spot}{rng.choice(COMPLAINTS)}{rng.choice(TAILS)}"
        body: dict[str, Any] = {"channel": rng.choice(CHANNELS), "reporter": f"139{rng.randrange(10**8):08d}",
                                "description": text}
        if rng.random() < ADDRESS_ONLY_SHARE:
            body["address"] = f"{place}{spot}"
        else:
            body["lng"], body["lat"] = rng.choice(points)
        body["reporter"] += f"-{tag}{i}"  # distinct reporters, as in real traffic
        out.append(body)
    return out


async def fire(session: aiohttp.ClientSession, base: str, reports: list[dict[str, Any]], concurrency: int,
               max_seconds: float) -> Run:
    """Send ``reports`` with ``concurrency`` workers; stop starting new ones after ``max_seconds``."""
    run = Run()
    queue = iter(reports)  # shared by the workers; next() is atomic between awaits
    url = f"{base}/admin/v1/reports"
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker() -> None:
        for body in queue:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                async with session.post(url, json=body) as resp:
                    text = await resp.text()
                    ok = resp.status == 201
            except aiohttp.ClientError as exc:
                ok, text = False, repr(exc)
            run.latencies.append(time.perf_counter() - t0)
            if not ok:
                run.errors += 1
                if len(run.samples) < 3:
                    run.samples.append(text[:300])

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.wall_s = time.perf_counter() - started
    return run


# -- reporting ---------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


def report(args: argparse.Namespace, backend: str, outcome: Outcome) -> None:
    run, server_cpu = outcome.run, outcome.server_cpu
    done = len(run.latencies)
    lat = sorted(run.latencies)
    rate = (done - run.errors) / run.wall_s if run.wall_s else 0.0
    print(f"measured: {done:,} reports ({args.reports:,} asked), concurrency {args.concurrency}, "
          f"in {run.wall_s:.2f} s")
    print(f"  cases/s    {rate:,.1f}")
    if lat:
        ms = [percentile(lat, q) * 1000 for q in (0.5, 0.9, 0.99)]
        print(f"  latency    p50 {ms[0]:.1f} ms · p90 {ms[1]:.1f} ms · p99 {ms[2]:.1f} ms · "
              f"mean {statistics.fmean(lat) * 1000:.1f} ms · max {lat[-1] * 1000:.1f} ms")
    print(f"  errors     {run.errors}")
    for sample in run.samples:
        print(f"    e.g. {sample}")
    if server_cpu is not None and done:
        print(f"  server CPU {server_cpu:.2f} s = {server_cpu / run.wall_s:.0%} of one core, "
              f"{server_cpu / done * 1000:.2f} ms per report")
    if outcome.database_cpu is not None and done:
        print(f"  PostgreSQL backends CPU {outcome.database_cpu:.2f} s, "
              f"{outcome.database_cpu / done * 1000:.2f} ms per report")
    print(f"  load generator CPU {outcome.client_cpu:.2f} s ({os.cpu_count()} cores on this machine; "
          f"load average {os.getloadavg()[0]:.1f})")
    verdict = "meets" if rate >= GOAL and not run.errors else "MISSES"
    print(f"goal: >= {GOAL:.0f} cases/s on PostgreSQL -> {verdict}" + ("" if backend == "postgres"
                                                                      else f" (this run: {backend})"))


def print_profile(path: Path) -> None:
    show_profile(path, "server CPU profile (whole server life: start-up, points, warm-up and the measured run)")


# -- main --------------------------------------------------------------------------


@dataclass
class Outcome:
    run: Run
    server_cpu: float | None
    client_cpu: float
    database_cpu: float | None  # PostgreSQL backends; None for SQLite (it runs inside the server)


async def drive(args: argparse.Namespace, base: str, admin_token: str, server: Server, phases: list[str]) -> Outcome:
    """Everything that talks HTTP: wait for the server, find points, warm up, measure."""
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        await server.wait_ready()
        phases.append(f"server ready {time.perf_counter() - t0:.1f} s (pid {server.pid})")

        t0 = time.perf_counter()
        points = await sample_points(session, base, rng, args.points)
        phases.append(f"{len(points)} in-grid points {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        warm = await fire(session, base, make_reports(args.warmup, points, rng, "w"), args.concurrency,
                          args.max_seconds)
        phases.append(f"warm-up {len(warm.latencies)} reports {time.perf_counter() - t0:.1f} s")
        if warm.errors:
            print(f"warm-up errors: {warm.errors}; first: {warm.samples[:1]}")
        print("phases: " + " · ".join(phases))

        reports = make_reports(args.reports, points, rng, "m")
        pg0 = {} if args.sqlite else backend_cpu(DB_NAME)
        cpu0, client0 = cpu_seconds(server.pid), time.process_time()
        run = await fire(session, base, reports, args.concurrency, args.max_seconds)
        cpu1, client1 = cpu_seconds(server.pid), time.process_time()
        pg1 = {} if args.sqlite else backend_cpu(DB_NAME)
    server_cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    # A backend that started during the run counts from zero; one that ended is lost (the pool keeps them).
    database_cpu = None if args.sqlite else sum(cpu - pg0.get(pid, 0.0) for pid, cpu in pg1.items())
    return Outcome(run, server_cpu, client1 - client0, database_cpu)


def bench(args: argparse.Namespace, work: Path) -> int:
    backend = "sqlite" if args.sqlite else "postgres"
    print(f"gridline intake benchmark — {backend}; server: {sys.executable} -m bot serve, "
          f"load generator: this process")
    phases: list[str] = []

    t0 = time.perf_counter()
    sqlite_url = f"sqlite://{work / 'var' / 'bench.sqlite3'}"
    database_url = sqlite_url if args.sqlite else asyncio.run(recreate_pg(args.pg))
    if args.db_params and not args.sqlite:
        database_url += "?" + args.db_params
    phases.append(f"fresh database {time.perf_counter() - t0:.1f} s")

    try:
        return serve_and_measure(args, work, backend, database_url, phases)
    finally:
        if not args.sqlite and not args.keep:
            asyncio.run(drop_pg(args.pg))


def serve_and_measure(args: argparse.Namespace, work: Path, backend: str, database_url: str,
                      phases: list[str]) -> int:
    admin_token = secrets.token_urlsafe(24)
    env = gridline_env({"DATABASE_URL": database_url, "ADMIN_TOKEN": admin_token, "LOG_LEVEL": args.log_level,
                        "MODE": "sandbox"})
    log_path = work / "server.log"
    phases.append(f"migrate + demo city {load_demo(env, work, log_path):.1f} s")

    profile = work / "server.prof" if args.profile else None
    serve = gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(args.port)], profile=profile)
    server = Server("the server", serve, env, work, args.port, log_path)
    server.start()
    try:
        outcome = asyncio.run(drive(args, f"http://127.0.0.1:{args.port}", admin_token, server, phases))
    except BaseException:
        # The work folder goes away afterwards: show the end of the server's log now.
        print("server log, last lines:", server.log_tail(), sep="\n  ", file=sys.stderr)
        raise
    finally:
        server.stop()
    report(args, backend, outcome)
    if profile is not None:
        print_profile(profile)
    return 1 if outcome.run.errors or not outcome.run.latencies else 0


def main() -> int:
    args = parse_args()
    with work_folder("gridline-bench-", args.keep) as work:
        return bench(args, work)


if __name__ == "__main__":
    sys.exit(main())
