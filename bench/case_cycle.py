"""A case's full cycle through the real app's HTTP API on PostgreSQL with a million cases already stored.

Fills a fresh database (``gridline_bench_cycle``) with the demo city and ``--cases`` background cases (the
console bench's ``generate``, written with COPY), serves the real app (``bot.app.create_app``) on a local
port and runs ``--cycles`` cycles, ``--concurrency`` at a time, each as the people who do it would:

1. open      the desk reports a case (``POST /admin/v1/reports``) in one of the bench's cells, in a
             category handled by a department (条线);
2. dispatch  the desk registers it and dispatches it to the category's department line, which the
             product resolves along the cell to the nearest department (two requests); with ``--auto``
             intake does both itself at ``open`` (条线分流, ``GRIDLINE_AUTO_DISPATCH_DEPARTMENTS``), and
             this step is gone;
3. accept    a user of that department accepts it (API, bearer token);
4. handle    the same user reports it handled on the phone page with a real JPEG (multipart upload:
             validated and hashed; watermarked after the answer) and the position;
5. check     the desk gives the 核查 to the cell's worker on duty (the product's pick; never the handler);
6. close     that worker (another person) records 核查 passed on the phone page with a photo: closed.

Prints cycles per second beside the goal (≥ 20 on this 2-core machine) and DIGIT's published 6.3 complaint
cycles/s (16 vCPU, 1M records), the p95 of each step and the load average while measured.

Run: ``.venv/bin/python bench/case_cycle.py [--cases 1000000] [--cycles 500] [--concurrency 8] [--auto] [--keep]``
(``GRIDLINE_TEST_PG`` names the server's admin URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import console_map, pgdb
from bench.console_map import CASE_COLUMNS, EVENT_COLUMNS, PG_ADMIN, generate
from bench.cycle_http import CSRF, Client, cookies, part, photo_part
from bench.harness import Server, cpu_seconds, gridline_argv, gridline_env, print_profile
from bot.app import create_app
from bot.auth import hash_token, new_token
from bot.demo import load_demo
from bot.keys import CASES
from bot.settings import load_settings
from intake import links
from intake.org import departments
from intake.store import db
from intake.store.models import User, UserGrid
from tests.bot.worker.photo_files import phone_photo

NAME = os.environ.get("BENCH_CYCLE_DB", "gridline_bench_cycle")
GOAL, DIGIT = 20.0, 6.3
CHUNK = 100_000  # background cases generated and copied per round (memory stays small)
LINK_KEY = b"bench-cycle-link-secret-0123456789abcdef"
BOOTSTRAP = "bench-cycle-bootstrap-token-0123456789abcdef"
REDIS = os.environ.get("BENCH_CYCLE_REDIS", "redis://127.0.0.1:6379/11")  # --workers > 1 share sessions there
STEPS = ("open", "dispatch", "accept", "handle", "check", "close")


async def fill(url: str, n: int, ctx: Any) -> float:
    """``n`` background cases in chunks of ``CHUNK``, numbered after the demo's own; seconds taken."""
    index = ctx.grid.index
    leaves = [(c.code, *index.centroid(c.code)) for c in index.leaves]
    workers: dict[str, list[int]] = {}
    for user_id, code in await UserGrid.filter(user__role="worker").values_list("user_id", "grid_code"):
        workers.setdefault(str(code), []).append(int(user_id))
    categories = [c.code for c in ctx.taxonomy.catalog.leaves()]
    rng, t0 = random.Random(19), time.perf_counter()
    console_map.NOW = datetime.now(UTC)  # the background's open cases are recent ones, as in a running city
    conn = await asyncpg.connect(url)
    try:
        serials: dict[Any, int] = {}  # a day's numbers go on after the demo's cases of that day
        for row in await conn.fetch("SELECT case_no FROM cases"):
            _, day, serial, _ = str(row["case_no"]).split("-")
            key = datetime.strptime(day, "%Y%m%d").date()
            serials[key] = max(serials.get(key, 0), int(serial))
        await conn.execute("SET session_replication_role = replica")  # a bulk load: no per-row triggers
        for first in range(0, n, CHUNK):
            cases, events = generate(first, min(CHUNK, n - first), 365, leaves, workers, categories, rng, serials)
            await conn.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await conn.copy_records_to_table("case_events", records=events, columns=EVENT_COLUMNS)
            print(f"  {first + len(cases):,} cases stored ({time.perf_counter() - t0:.0f} s)", flush=True)
        # The product's daily counters go on after the background's numbers (its days include today).
        await conn.executemany("INSERT INTO case_counters (district, day, n) VALUES ('440307', $1, $2) ON CONFLICT "
                               "(district, day) DO UPDATE SET n = GREATEST(case_counters.n, EXCLUDED.n)",
                               [(f"{day:%Y%m%d}", n) for day, n in serials.items()])
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - t0


@dataclass
class Person:
    user_id: int
    token: str
    cookie: str = ""  # the phone's session, once signed in
    csrf: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Bench:
    port: int
    desk: Person
    category: str
    line: str
    cells: list[tuple[str, float, float]]  # leaf, lat, lng
    handlers: dict[str, list[Person]]  # leaf → users of the department that line resolves to there
    people: dict[int, Person]
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    photo: dict[str, bytes] = field(default_factory=dict)  # leaf → the multipart part of its photo
    auto: bool = False  # intake dispatches to the department itself (条线分流): no dispatch step

    async def phone_of(self, http: Client, who: Person, case_no: str) -> Person:
        """The person's phone, signed in once through a task card's signed link (as the card opens it)."""
        async with who.lock:
            if not who.cookie:
                signed = links.issue(LINK_KEY, who.user_id, case_no, datetime.now(UTC)).query(LINK_KEY)
                answer = await http.send("GET", f"/worker/cases/{case_no}?{urlencode({'action': 'accept', **signed})}")
                assert answer.status == 303, answer.body[:300]
                cookie = cookies(answer)
                page = await http.page(f"/worker/cases/{case_no}", cookie)
                found = CSRF.search(page.body.decode())
                assert page.status == 200 and found, page.status
                who.cookie, who.csrf = cookie, found.group(1)
        return who

    async def page_step(self, http: Client, who: Person, case_no: str, fields: dict[str, str],
                        cell: tuple[str, float, float]) -> None:
        """A step on the phone page with a photo taken where the cell is (multipart, as the page posts it)."""
        await self.phone_of(http, who, case_no)
        parts = [part("csrf", who.csrf)]  # first: the middleware reads it before any photo
        parts += [part(key, value) for key, value in fields.items()]
        parts += [self.photo[cell[0]], part("lat", f"{cell[1]:.6f}"), part("lng", f"{cell[2]:.6f}")]
        answer = await http.form(f"/worker/cases/{case_no}", who.cookie, parts)
        assert answer.status == 303, (answer.status, answer.body[:300])
        page = (await http.page(answer.header("location")[0], who.cookie)).body.decode()
        if "flash error" in page:  # the page after post/redirect/get says how it went
            raise RuntimeError(f"{fields['action']} on {case_no} refused: {page[page.index('flash error'):][:300]}")

    async def cycle(self, n: int) -> None:
        cell = self.cells[n % len(self.cells)]
        handler = self.handlers[cell[0]][n % len(self.handlers[cell[0]])]
        took: dict[str, float] = {}
        http = Client(self.port)  # a new connection each cycle: the kernel spreads them over the workers

        async def timed(step: str, run: Callable[[], Awaitable[Any]]) -> Any:
            t0 = time.perf_counter()
            out = await run()
            took[step] = time.perf_counter() - t0
            return out

        desk = self.desk.token
        try:
            opened = await timed("open", lambda: http.api(desk, "/admin/v1/reports", {
                "channel": "hotline", "reporter": f"cycle-{n}", "description": f"路口井盖松动，车辆经过有响声 {n}",
                "lat": cell[1], "lng": cell[2], "category": self.category}))
            no = str(opened["case_no"])
            actions = f"/admin/v1/cases/{no}/actions"

            async def dispatch() -> None:
                await http.api(desk, actions, {"action": "register", "note": "立案"})
                await http.api(desk, actions, {"action": "dispatch", "note": "派遣", "department": self.line})

            if not self.auto:
                await timed("dispatch", dispatch)
            elif opened["status"] != "dispatched":
                raise RuntimeError(f"{no} was not dispatched at intake: {opened['status']}")
            await timed("accept", lambda: http.api(handler.token, actions, {"action": "accept", "note": "已接单"}))
            await timed("handle", lambda: self.page_step(http, handler, no, {"action": "handle", "note": "已更换井盖"},
                                                         cell))
            task = await timed("check", lambda: http.api(desk, actions, {"action": "check", "note": "请核查"}))
            checker = self.people[int(task["task"]["user_id"])]
            await timed("close", lambda: self.page_step(http, checker, no, {"action": "checked", "result": "pass",
                                                                            "note": "核查通过"}, cell))
        finally:
            http.fresh()
        for step, seconds in took.items():
            self.times[step].append(seconds)


async def people(bench_cells: list[str], line: str, ctx: Any) -> tuple[Person, dict[str, list[Person]],
                                                                        dict[int, Person]]:
    """The desk, two users of each department the line resolves to, and the cells' workers (with tokens)."""
    async def staff(name: str, role: str, department: str | None = None, grids: tuple[str, ...] = ()) -> Person:
        token = new_token()
        user = await User.create(name=name, role=role, token_hash=hash_token(token), department_code=department,
                                 origin="bench")
        await UserGrid.bulk_create([UserGrid(user=user, grid_code=g) for g in grids])
        return Person(user.id, token)

    desk = await staff("压测调度员", "dispatcher")
    by_dept: dict[str, list[Person]] = {}
    handlers: dict[str, list[Person]] = {}
    everyone: dict[int, Person] = {}
    for code in bench_cells:
        dept = await departments.resolve(line, ctx.grid.ancestors(code))
        if dept.code not in by_dept:
            by_dept[dept.code] = [await staff(f"压测{dept.name}{i}", "department", dept.code) for i in (1, 2)]
        handlers[code] = by_dept[dept.code]
        duty = await ctx.grid.worker_for(code)
        assert duty is not None, code
        if duty.id not in everyone:  # a demo worker: a token of the bench's own stands in for theirs
            token = new_token()
            await User.filter(id=duty.id).update(token_hash=hash_token(token))
            everyone[duty.id] = Person(duty.id, token)
    for group in by_dept.values():
        everyone.update({p.user_id: p for p in group})
    return desk, handlers, everyone


def department_category(ctx: Any) -> tuple[str, str]:
    """A live leaf category a department handles (not on the self-handle list): its code and line."""
    for c in ctx.taxonomy.catalog.leaves():
        if c.department and not c.self_handle and not c.retired and str(c.handler) == "department":
            return c.code, c.department
    raise SystemExit("no department-handled category in the taxonomy")


def cells_with_duty(ctx: Any, count: int) -> list[tuple[str, float, float]]:
    """``count`` leaves whose centroid lies inside themselves, spread over the district."""
    index, found = ctx.grid.index, []
    for leaf in index.leaves[::max(1, len(index.leaves) // (count * 3))]:
        lng, lat = index.centroid(leaf.code)
        placed = index.locate(lng, lat)
        if placed is not None and placed.code == leaf.code and placed.inside:
            found.append((leaf.code, lat, lng))
    return found[:count]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def server_env(url: str, home: Path, auto: bool) -> dict[str, str]:
    return gridline_env({"DATABASE_URL": url, "REDIS_URL": REDIS, "ADMIN_TOKEN": BOOTSTRAP, "MODE": "sandbox",
                         "WORKER_LINK_SECRET": LINK_KEY.decode(), "LOG_LEVEL": "WARNING",
                         "MODEL_DIR": str(home / "models"), "MEDIA_DIR": str(home / "media"),
                         "AUTO_DISPATCH_DEPARTMENTS": "true" if auto else "false"})


async def setup(url: str, args: argparse.Namespace, home: Path) -> Bench:
    """Background cases, the bench's people and cells, read through an app of this process (its context:
    grid, taxonomy, departments); the measured server is another process (``serve``)."""
    own = {k: v for k, v in server_env(url, home, args.auto).items() if k.startswith("GRIDLINE_")}
    settings = load_settings(own | {"GRIDLINE_REDIS_URL": ""})
    app = create_app(settings, sweeper=False, own_database=False, sender=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        ctx = app[CASES]
        if args.cases:
            took = await fill(url, args.cases, ctx)
            print(f"background: {args.cases:,} cases with their events stored in {took:.0f} s")
        category, line = department_category(ctx)
        cells = cells_with_duty(ctx, 24)
        desk, handlers, everyone = await people([c[0] for c in cells], line, ctx)
    finally:
        await server.close()
    bench = Bench(args.port, desk, category, line, cells, handlers, everyone, auto=args.auto)
    bench.photo = {c[0]: photo_part(phone_photo(640, 480, c[1], c[2])) for c in cells}
    print(f"category {category} (line {line}); {len(cells)} cells; photo part {len(bench.photo[cells[0][0]]):,} B")
    return bench


async def run(url: str, args: argparse.Namespace, home: Path) -> None:
    bench = await setup(url, args, home)
    argv = gridline_argv(["serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)],
                         profile=Path(args.profile) if args.profile else None)
    server = Server("gridline", argv, server_env(url, home, args.auto), home, args.port, home / "server.log")
    server.start()
    try:
        await server.wait_ready()
        print(f"gridline serve --workers {args.workers} ready; warming up (every cell once: phones sign in, "
              f"caches fill)", flush=True)
        await asyncio.gather(*(bench.cycle(-1 - i) for i in range(len(bench.cells))))
        await settled(url)
        bench.times = {s: [] for s in STEPS}
        await measure(bench, args, server.pid, url)
    except BaseException:
        print(f"server log:\n  {server.log_tail()}")
        raise
    finally:
        server.stop()
    if args.profile:
        print_profile(Path(args.profile), "the server's CPU profile (one process: run it with --workers 1)")


async def settled(url: str, patience_s: float = 300.0) -> None:
    """Until the outbox has no unrouted message: the first SLA sweep after the load escalates the background's
    overdue cases at once (a one-off backlog the relay then routes), which is no cycle's cost."""
    conn, t0 = await asyncpg.connect(url), time.perf_counter()
    try:
        for _ in range(int(patience_s / 2)):
            left = await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending' AND channel = ''")
            if not left:
                break
            await asyncio.sleep(2.0)
    finally:
        await conn.close()
    print(f"the first sweep's backlog routed in {time.perf_counter() - t0:.0f} s ({left} messages left)", flush=True)


async def backends_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving the bench's database now (the server's pool)."""
    conn = await asyncpg.connect(url)
    try:
        pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                NAME)
    finally:
        await conn.close()
    return sum(cpu_seconds(int(row["pid"])) or 0.0 for row in pids)


async def measure(bench: Bench, args: argparse.Namespace, server: int, url: str) -> None:
    queue = iter(range(args.cycles))
    loads: list[float] = []

    async def lane() -> None:
        for n in queue:
            await bench.cycle(n)

    async def sample() -> None:
        while True:
            loads.append(os.getloadavg()[0])
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    server0, pg0 = cpu_seconds(server) or 0.0, await backends_cpu(url)
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(lane() for _ in range(args.concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server_cpu, pg_cpu = (cpu_seconds(server) or 0.0) - server0, await backends_cpu(url) - pg0
    sampler.cancel()
    report(bench, args, wall, {"server": server_cpu, "PostgreSQL": pg_cpu, "client": cpu}, loads)


def report(bench: Bench, args: argparse.Namespace, wall: float, cpu: dict[str, float], loads: list[float]) -> None:
    cycles = args.cycles
    rate = cycles / wall
    print(f"\n{cycles} full cycles, {args.concurrency} at a time, gridline serve --workers {args.workers}, in "
          f"{wall:.1f} s: {rate:.1f} cycles/s (goal ≥ {GOAL:.0f}: {'OK' if rate >= GOAL else 'MISSED'}; DIGIT's "
          f"published load test: {DIGIT} complaint cycles/s on 16 vCPU at 1M records)")
    print(f"{'step':<9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for step in STEPS:
        values = bench.times[step]
        if not values:
            print(f"{step:<9}   (done by intake at open)")
            continue
        print(f"{step:<9}{statistics.median(values) * 1000:>9.0f}{p95(values) * 1000:>9.0f}"
              f"{max(values) * 1000:>9.0f}")
    print("CPU a cycle: " + ", ".join(f"{name} {sec / cycles * 1000:.0f} ms ({sec / wall:.2f} cores busy)"
                                      for name, sec in cpu.items()))
    service = (cpu["server"] + cpu["PostgreSQL"]) / cycles
    print(f"one free core for the service (server + PostgreSQL, the client elsewhere): about {1 / service:.1f} "
          f"cycles/s; the 2 cores of this machine, were they free: about {2 / service:.1f}")
    print(f"load average (1 min) while measured: {statistics.mean(loads):.2f} mean, {max(loads):.2f} max "
          f"on {os.cpu_count()} cores (the machine is shared)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gridline serve --workers (one per core)")
    parser.add_argument("--port", type=int, default=8719)
    parser.add_argument("--profile", help="write the server's CPU profile here (with --workers 1: one process)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--auto", action="store_true", help="条线分流 at intake instead of the desk's dispatch")
    args = parser.parse_args()
    url = await pgdb.fresh_database(PG_ADMIN, NAME)
    await db.migrate(url)
    await db.open_db(url)
    home = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    try:
        await load_demo(None, home / "tokens.json", replace=True)
        await run(url, args, home)
    finally:
        await db.close_db()
        if not args.keep:
            await pgdb.drop_database(PG_ADMIN, NAME)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
