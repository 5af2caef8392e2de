"""The console map's and statistics' figures on PostgreSQL with a generated district.

Generates N cases (default 1,000,000) over the past ``--days`` (default 730) in the demo city's leaves,
with their events (open, register, dispatch, accept, handle, close; some voided, some 督办'd), written
with COPY in chunks (the statistics' triggers off, as for a bulk load), builds the daily rollup
(:mod:`intake.stats.rollup`), then times, each the best of ``--repeat`` runs:

- the heat map's data for a window holding ~100,000 cases, computed (:func:`intake.map.points.heat_json`)
  and kept (:mod:`intake.map.heatcache`, what the console serves), JSON and gzip bytes — ≤ 300 ms, ≤ 1 MB;
- statistics tables for one month and one street, the month for the district (≤ 500 ms), and the
  window for the whole district by street, worker and month (≤ 2 s), through the rollup and all live;
- through the real app signed in as one street's dispatcher: the desk page and its queue counts, the case
  page (p95, ≤ 100 ms), and the Excel export of that street's cases (≤ 30 s, memory flat).

Run: ``.venv/bin/python bench/console_map.py [--cases 1000000] [--days 730] [--repeat 3] [--keep] [--reuse]``
(``GRIDLINE_TEST_PG`` names the server's admin URL; the database ``gridline_bench_console``, or
``GRIDLINE_BENCH_CONSOLE_DB``, is recreated, or with ``--reuse`` the one a ``--keep`` run left is timed again —
``--cases`` and ``--days`` must be its own).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pgdb
from bench.console_http import http_figures
from bot.composition import build_context
from bot.demo import load_demo
from intake.cases.model import Actor
from intake.cases.numbers import format_case_no
from intake.cases.states import Role
from intake.grid.model import Datum
from intake.map.heatcache import cached_heat_json
from intake.map.points import HeatQuery, heat_json
from intake.sla.calendar import SHANGHAI
from intake.stats import rollup
from intake.stats.cases import case_stats
from intake.stats.query import CaseQuery
from intake.stats.report import case_report
from intake.stats.weights import Weights
from intake.store import db
from intake.store.models import UserGrid
from notify.recording import RecordingNotifier

PG_ADMIN = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
# Another name lets two people bench on one server without dropping each other's database.
NAME = os.environ.get("GRIDLINE_BENCH_CONSOLE_DB", "gridline_bench_console")
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
ADMIN = Actor("user:bench", "bench", Role.ADMIN)
CASE_COLUMNS = ("case_no", "status", "channel", "reporter", "description", "lat", "lng", "grid_code",
                "category_code", "taxonomy_version", "confidence", "classifier", "severity", "limit_hours",
                "photos", "assignee_user_id", "opened_at", "deadline_at", "closed_at", "escalation_level",
                "reopen_count", "last_seq", "last_hash", "updated_at", "anonymous")
EVENT_COLUMNS = ("case_no", "seq", "action", "from_status", "to_status", "actor", "role", "at", "attachments",
                 "data", "prev_hash", "hash")
ROAD = (("open", None, "reported"), ("register", "reported", "registered"), ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "handling"), ("handle", "handling", "handled"), ("close", "handled", "closed"))


CHUNK = 50_000  # cases generated and copied at a time (memory stays flat)


def generate(first: int, n: int, days: int, leaves: list[tuple[str, float, float]], workers: dict[str, list[int]],
             categories: list[str], rng: random.Random, serials: dict[Any, int],
             ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    cases, events = [], []
    for i in range(first, first + n):
        code, lng, lat = rng.choice(leaves)
        opened = NOW - timedelta(seconds=rng.uniform(0, days * 86400))
        times = [opened]
        for gap_h in (0.3, 0.5, rng.uniform(0.2, 8), rng.uniform(1, 72), rng.uniform(1, 24)):
            times.append(times[-1] + timedelta(hours=gap_h))
        steps = len(ROAD) if times[-1] < NOW - timedelta(hours=1) else rng.randint(1, len(ROAD) - 1)
        while steps > 1 and times[steps - 1] > NOW:
            steps -= 1
        status = ROAD[steps - 1][2]
        void = steps < len(ROAD) and rng.random() < 0.05
        day = opened.astimezone(SHANGHAI).date()
        serials[day] = serials.get(day, 0) + 1
        no = format_case_no("440307", day, serials[day])
        chain = [(a, f, t, times[k]) for k, (a, f, t) in enumerate(ROAD[:steps])]
        if void:
            chain.append(("void", status, "voided", times[steps - 1] + timedelta(minutes=5)))
            status = "voided"
        if rng.random() < 0.04:
            chain.insert(min(3, len(chain)), ("supervise", None, status, times[min(2, steps - 1)]))
        limit = float(rng.choice((24, 48, 72, 120)))
        grid_workers = workers.get(code) or [None]  # type: ignore[list-item]
        closed = times[-1] if status == "closed" else None
        cases.append((no, status, "wechat", f"bench-{i % 5000}", "bench", lat + rng.gauss(0, 0.0008),
                      lng + rng.gauss(0, 0.0008), code, rng.choice(categories), 1, 0.9, "bench", "blue", limit,
                      "[]", rng.choice(grid_workers) if steps >= 3 else None, opened, opened + timedelta(hours=limit),
                      closed, 0, 0, len(chain), "x" * 64, chain[-1][3], False))
        for seq, (action, before, after, at) in enumerate(chain, 1):
            events.append((no, seq, action, before, after, "bench", "system", at, "[]", "{}", "x" * 64, "x" * 64))
    return cases, events


async def best(repeat: int, run: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = await run()
        times.append(time.perf_counter() - t0)
    return min(times), out


def verdict(value: float, goal: float) -> str:
    return "OK" if value <= goal else "MISSED"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--load-only", action="store_true", help="generate and build the rollup, time nothing")
    parser.add_argument("--reuse", action="store_true", help="time the database a --keep run left (no load)")
    args = parser.parse_args()
    url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{NAME}" if args.reuse else await pgdb.fresh_database(PG_ADMIN, NAME)
    await db.migrate(url)
    await db.open_db(url)
    try:
        if not args.reuse:
            await load_demo(None, Path(tempfile.mkdtemp()) / "tokens.json", replace=True)
        domain = await build_context(RecordingNotifier(), lambda: NOW)
        ctx = domain.ctx
        if not args.reuse:
            await generate_all(url, ctx, args)
        if args.load_only:
            return 0
        await report(ctx, args.repeat, args.days, args.cases)
        street = await busiest_street(args.cases)
        await http_figures(url, NOW, street, 20, verdict)
        print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        await db.close_db()
        if not args.keep:
            await pgdb.drop_database(PG_ADMIN, NAME)
    return 0


async def generate_all(url: str, ctx: Any, args: argparse.Namespace) -> None:
    """The district's cases and events (COPY, triggers off), then the daily rollup."""
    index = ctx.grid.index
    leaves = [(c.code, *index.centroid(c.code)) for c in index.leaves]
    workers: dict[str, list[int]] = {}
    for user_id, code in await UserGrid.filter(user__role="worker").values_list("user_id", "grid_code"):
        workers.setdefault(str(code), []).append(int(user_id))
    categories = [c.code for c in ctx.taxonomy.catalog.leaves()]
    t0, rng, serials, events = time.perf_counter(), random.Random(14), dict[Any, int](), 0
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET session_replication_role = replica")  # a bulk load: no per-row triggers
        for first in range(0, args.cases, CHUNK):
            cases, chunk = generate(first, min(CHUNK, args.cases - first), args.days, leaves, workers,
                                    categories, rng, serials)
            await conn.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await conn.copy_records_to_table("case_events", records=chunk, columns=EVENT_COLUMNS)
            events += len(chunk)
        await conn.execute("VACUUM ANALYZE")  # as autovacuum would after a load: index-only scans
    finally:
        await conn.close()
    print(f"generated {args.cases:,} cases and {events:,} events on PostgreSQL in "
          f"{time.perf_counter() - t0:.1f} s ({len(leaves):,} leaf cells, {args.days} days); "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    built = await rollup.refresh(NOW, max_days=args.days + 2)
    rows = (await db.fetch("SELECT COUNT(*) AS n FROM stats_daily", []))[0]["n"]
    print(f"daily rollup built: {built} days, {rows:,} rows in {time.perf_counter() - t0:.1f} s")


async def busiest_street(n: int) -> str:
    """The street whose case count is nearest 100,000 (the export's figure)."""
    rows = await db.fetch("SELECT substr(grid_code, 1, 9) AS s, COUNT(*) AS n FROM cases GROUP BY 1", [])
    return str(min(rows, key=lambda r: abs(int(r["n"]) - 100_000))["s"])


async def report(ctx: Any, repeat: int, days: int, n: int) -> None:
    heat_days = max(1, round(days * 100_000 / n))  # a window holding ~100,000 cases
    query = HeatQuery(NOW - timedelta(days=heat_days))
    took, text = await best(repeat, lambda: heat_json(ADMIN, query, Datum.WGS84))
    points, body = json.loads(text), text.encode()
    packed = len(gzip.compress(body, 6))
    cases = sum(p[2] for p in points)
    print(f"heat map, {heat_days} days ({cases:,} cases, {len(points):,} squares), computed: {took * 1000:.0f} ms "
          f"(goal ≤ 300 ms) {verdict(took, 0.3)}; {len(body) / 1e6:.2f} MB JSON, {packed / 1e6:.2f} MB gzip "
          f"(goal ≤ 1 MB) {verdict(packed, 1e6)}")
    await cached_heat_json(ADMIN, query, Datum.WGS84)
    took, _ = await best(repeat, lambda: cached_heat_json(ADMIN, query, Datum.WGS84))
    print(f"heat map, same window, kept until a case changes (what the console serves): {took * 1000:.1f} ms "
          f"(goal ≤ 300 ms) {verdict(took, 0.3)}")
    local = NOW.astimezone(SHANGHAI)
    month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    street = ctx.grid.index.leaves[0].code[:9]
    since = NOW - timedelta(days=days)
    for label, q, goal in (
            (f"month {month:%Y-%m}, street {street}, by grid", CaseQuery("grid", month, None, area=street), 0.5),
            (f"month {month:%Y-%m}, district, by street", CaseQuery("street", month, None), 0.5),
            ("previous month, district, by street",
             CaseQuery("street", (month - timedelta(days=1)).replace(day=1), month), 0.5),
            (f"{days} days, district, by street", CaseQuery("street", since, None), 2.0),
            (f"{days} days, district, by worker", CaseQuery("worker", since, None), 2.0),
            (f"{days} days, district, by month", CaseQuery("month", since, None), 2.0)):
        took, rows = await best(repeat, lambda q=q: case_report(ctx, ADMIN, q, Weights()))
        live, same = await best(1, lambda q=q: case_stats(ctx, ADMIN, q, rollup=False))
        agree = "same rows" if same == [r.figures for r in rows] else "ROWS DIFFER"
        print(f"stats {label}: {len(rows)} rows, {sum(r.figures.received for r in rows):,} cases: "
              f"{took * 1000:.0f} ms with the rollup (goal ≤ {goal * 1000:.0f} ms) {verdict(took, goal)}; "
              f"all live {live * 1000:.0f} ms, {agree}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
