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
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pgdb
from bench.console_map import CASE_COLUMNS, EVENT_COLUMNS, PG_ADMIN, generate
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
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
STEPS = ("open", "dispatch", "accept", "handle", "check", "close")


async def fill(url: str, n: int, ctx: Any) -> float:
    """``n`` background cases in chunks of ``CHUNK``, each chunk's numbers made unique; seconds taken."""
    index = ctx.grid.index
    leaves = [(c.code, *index.centroid(c.code)) for c in index.leaves]
    workers: dict[str, list[int]] = {}
    for user_id, code in await UserGrid.filter(user__role="worker").values_list("user_id", "grid_code"):
        workers.setdefault(str(code), []).append(int(user_id))
    categories = [c.code for c in ctx.taxonomy.catalog.leaves()]
    rng, t0, serials = random.Random(19), time.perf_counter(), dict[Any, int]()
    conn = await asyncpg.connect(url)
    try:
        for k in range(0, n, CHUNK):
            # real numbers, unique through ``serials`` (district 440307, per Shanghai day)
            cases, events = generate(k, min(CHUNK, n - k), 365, leaves, workers, categories, rng, serials)
            await conn.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await conn.copy_records_to_table("case_events", records=events, columns=EVENT_COLUMNS)
            print(f"  {k + len(cases):,} cases stored ({time.perf_counter() - t0:.0f} s)", flush=True)
        # The app's daily counters continue after the generated numbers (a case opened today gets a fresh one).
        await conn.executemany(
            "INSERT INTO case_counters (district, day, n) VALUES ('440307', $1, $2) "
            "ON CONFLICT (district, day) DO UPDATE SET n = GREATEST(case_counters.n, EXCLUDED.n)",
            [(f"{day:%Y%m%d}", count) for day, count in serials.items()])
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - t0


@dataclass
class Person:
    user_id: int
    token: str
    phone: aiohttp.ClientSession | None = None
    csrf: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Bench:
    base: str
    http: aiohttp.ClientSession
    desk: Person
    category: str
    line: str
    cells: list[tuple[str, float, float]]  # leaf, lat, lng
    handlers: dict[str, list[Person]]  # leaf → users of the department that line resolves to there
    people: dict[int, Person]
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    photo: dict[str, bytes] = field(default_factory=dict)
    auto: bool = False  # intake dispatches to the department itself (条线分流): no dispatch step

    async def api(self, who: Person, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(f"{self.base}{path}", json=body,
                                  headers={"Authorization": f"Bearer {who.token}"}) as resp:
            reply: dict[str, Any] = await resp.json()
            if resp.status not in (200, 201):
                raise RuntimeError(f"{path} {body.get('action', '')}: {resp.status} {reply}")
            return reply

    async def phone_of(self, who: Person, case_no: str) -> Person:
        """The person's phone, signed in once through a task card's signed link (as the card opens it)."""
        async with who.lock:
            if who.phone is None:
                who.phone = aiohttp.ClientSession(base_url=self.base, cookie_jar=aiohttp.CookieJar(unsafe=True))
                signed = links.issue(LINK_KEY, who.user_id, case_no, datetime.now(UTC)).query(LINK_KEY)
                async with who.phone.get(f"/worker/cases/{case_no}", params={"action": "accept", **signed},
                                         allow_redirects=False) as resp:
                    assert resp.status == 303, await resp.text()
                async with who.phone.get(f"/worker/cases/{case_no}") as resp:
                    found = CSRF.search(await resp.text())
                    assert resp.status == 200 and found, resp.status
                    who.csrf = found.group(1)
        return who

    async def page_step(self, who: Person, case_no: str, fields: dict[str, str],
                        cell: tuple[str, float, float]) -> None:
        """A step on the phone page with a photo taken where the cell is (multipart, as the page posts it)."""
        await self.phone_of(who, case_no)
        assert who.phone is not None
        form = aiohttp.FormData()
        form.add_field("csrf", who.csrf)  # first: the middleware reads it before any photo
        for key, value in fields.items():
            form.add_field(key, value)
        form.add_field("photo", self.photo[cell[0]], filename="IMG_0001.jpg", content_type="image/jpeg")
        form.add_field("lat", f"{cell[1]:.6f}")
        form.add_field("lng", f"{cell[2]:.6f}")
        async with who.phone.post(f"/worker/cases/{case_no}", data=form, allow_redirects=False) as resp:
            assert resp.status == 303, (resp.status, await resp.text())
            flash = resp.headers.get("Location", "")
        async with who.phone.get(flash) as resp:  # the page after post/redirect/get says how it went
            page = await resp.text()
            if "flash error" in page:
                raise RuntimeError(f"{fields['action']} on {case_no} refused: {page[page.index('flash error'):][:300]}")

    async def cycle(self, n: int) -> None:
        cell = self.cells[n % len(self.cells)]
        handler = self.handlers[cell[0]][n % len(self.handlers[cell[0]])]
        took: dict[str, float] = {}

        async def timed(step: str, run: Callable[[], Awaitable[Any]]) -> Any:
            t0 = time.perf_counter()
            out = await run()
            took[step] = time.perf_counter() - t0
            return out

        opened = await timed("open", lambda: self.api(self.desk, "/admin/v1/reports", {
            "channel": "hotline", "reporter": f"cycle-{n}", "description": f"路口井盖松动，车辆经过有响声 {n}",
            "lat": cell[1], "lng": cell[2], "category": self.category}))
        no = str(opened["case_no"])
        actions = f"/admin/v1/cases/{no}/actions"

        async def dispatch() -> None:
            await self.api(self.desk, actions, {"action": "register", "note": "立案"})
            await self.api(self.desk, actions, {"action": "dispatch", "note": "派遣", "department": self.line})

        if not self.auto:
            await timed("dispatch", dispatch)
        elif opened["status"] != "dispatched":
            raise RuntimeError(f"{no} was not dispatched at intake: {opened['status']}")
        await timed("accept", lambda: self.api(handler, actions, {"action": "accept", "note": "已接单"}))
        await timed("handle", lambda: self.page_step(handler, no, {"action": "handle", "note": "已更换井盖"}, cell))
        task = await timed("check", lambda: self.api(self.desk, actions, {"action": "check", "note": "请核查"}))
        checker = self.people[int(task["task"]["user_id"])]
        await timed("close", lambda: self.page_step(checker, no, {"action": "checked", "result": "pass",
                                                                  "note": "核查通过"}, cell))
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


async def run(url: str, args: argparse.Namespace, home: Path) -> None:
    settings = load_settings({"GRIDLINE_DATABASE_URL": url, "GRIDLINE_ADMIN_TOKEN": BOOTSTRAP,
                              "GRIDLINE_WORKER_LINK_SECRET": LINK_KEY.decode(),
                              "GRIDLINE_MODEL_DIR": str(home / "models"), "GRIDLINE_MEDIA_DIR": str(home / "media"),
                              "GRIDLINE_AUTO_DISPATCH_DEPARTMENTS": "true" if args.auto else "false"})
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
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            bench = Bench(f"http://127.0.0.1:{server.port}", http, desk, category, line, cells, handlers, everyone,
                          auto=args.auto)
            bench.photo = {c[0]: phone_photo(640, 480, c[1], c[2]) for c in cells}
            print(f"category {category} (line {line}); {len(cells)} cells; photo {len(bench.photo[cells[0][0]]):,} B; "
                  f"warming up (every cell once: phones sign in, caches fill)", flush=True)
            await asyncio.gather(*(bench.cycle(-1 - i) for i in range(len(cells))))
            bench.times = {s: [] for s in STEPS}
            await measure(bench, args.cycles, args.concurrency)
        for person in everyone.values():
            if person.phone is not None:
                await person.phone.close()
    finally:
        await server.close()


async def measure(bench: Bench, cycles: int, concurrency: int) -> None:
    queue = iter(range(cycles))
    loads: list[float] = []

    async def lane() -> None:
        for n in queue:
            await bench.cycle(n)

    async def sample() -> None:
        while True:
            loads.append(os.getloadavg()[0])
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    sampler.cancel()
    rate = cycles / wall
    print(f"\n{cycles} full cycles, {concurrency} at a time, in {wall:.1f} s: {rate:.1f} cycles/s "
          f"(goal ≥ {GOAL:.0f}: {'OK' if rate >= GOAL else 'MISSED'}; DIGIT's published load test: {DIGIT} "
          f"complaint cycles/s on 16 vCPU at 1M records)")
    print(f"{'step':<9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for step in STEPS:
        values = bench.times[step]
        if not values:
            print(f"{step:<9}   (done by intake at open)")
            continue
        print(f"{step:<9}{statistics.median(values) * 1000:>9.0f}{p95(values) * 1000:>9.0f}"
              f"{max(values) * 1000:>9.0f}")
    print(f"CPU of this process (app and client, one event loop): {cpu / cycles * 1000:.0f} ms a cycle, "
          f"{cpu / wall:.2f} cores busy; PostgreSQL's own CPU comes on top")
    print(f"load average (1 min) while measured: {statistics.mean(loads):.2f} mean, {max(loads):.2f} max "
          f"on {os.cpu_count()} cores (the machine is shared; the client runs in this process too)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
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
