"""The console map's and statistics' figures on PostgreSQL with a generated district.

Generates N cases (default 100,000) over the past ``--days`` (default 365) in the demo city's leaves,
with their events (open, register, dispatch, accept, handle, close; some voided, some 督办'd, some
reopened), written with COPY; then times, each the best of ``--repeat`` runs:

- the heat map's data for every case (:func:`intake.map.points.heat`, a year's window), its JSON bytes and
  gzip bytes (the console sends it compressed) — goals ≤ 300 ms and ≤ 1 MB on the wire;
- a statistics table for one month and one street (``by=grid``, ``area=<street>``) — goal ≤ 500 ms;
- a statistics table for the year and the whole district (``by=street`` and ``by=worker``) — goal ≤ 2 s.

Run: ``.venv/bin/python bench/console_map.py [--cases 100000] [--days 365] [--repeat 3] [--keep]``
(``GRIDLINE_TEST_PG`` names the server's admin URL; the database ``gridline_bench_console`` is recreated).
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
from bot.composition import build_context
from bot.demo import load_demo
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.grid.model import Datum
from intake.map.points import HeatQuery, heat_json
from intake.sla.calendar import SHANGHAI
from intake.stats.query import CaseQuery
from intake.stats.report import case_report
from intake.stats.weights import Weights
from intake.store import db
from intake.store.models import UserGrid
from notify.recording import RecordingNotifier

PG_ADMIN = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
NAME = "gridline_bench_console"
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


def generate(n: int, days: int, leaves: list[tuple[str, float, float]], workers: dict[str, list[int]],
             categories: list[str], rng: random.Random) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    cases, events = [], []
    for i in range(n):
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
        no = f"B{i:09d}"
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
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = await pgdb.fresh_database(PG_ADMIN, NAME)
    await db.migrate(url)
    await db.open_db(url)
    try:
        await load_demo(None, Path(tempfile.mkdtemp()) / "tokens.json", replace=True)
        domain = await build_context(RecordingNotifier(), lambda: NOW)
        ctx = domain.ctx
        index = ctx.grid.index
        leaves = [(c.code, *index.centroid(c.code)) for c in index.leaves]
        workers: dict[str, list[int]] = {}
        for user_id, code in await UserGrid.filter(user__role="worker").values_list("user_id", "grid_code"):
            workers.setdefault(str(code), []).append(int(user_id))
        categories = [c.code for c in ctx.taxonomy.catalog.leaves()]
        t0 = time.perf_counter()
        cases, events = generate(args.cases, args.days, leaves, workers, categories, random.Random(14))
        conn = await asyncpg.connect(url)
        try:
            await conn.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await conn.copy_records_to_table("case_events", records=events, columns=EVENT_COLUMNS)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        print(f"generated {len(cases):,} cases and {len(events):,} events on PostgreSQL in "
              f"{time.perf_counter() - t0:.1f} s ({len(leaves):,} leaf cells, {args.days} days)")
        await report(ctx, args.repeat, args.days)
    finally:
        await db.close_db()
        if not args.keep:
            await pgdb.drop_database(PG_ADMIN, NAME)
    return 0


async def report(ctx: Any, repeat: int, days: int) -> None:
    took, text = await best(repeat, lambda: heat_json(ADMIN, HeatQuery(NOW - timedelta(days=days)), Datum.WGS84))
    points = json.loads(text)
    body = text.encode()
    packed = len(gzip.compress(body, 6))
    print(f"heat map, every case ({len(points):,} points): {took * 1000:.0f} ms (goal ≤ 300 ms) "
          f"{verdict(took, 0.3)}; {len(body) / 1e6:.2f} MB JSON, {packed / 1e6:.2f} MB gzip on the wire "
          f"(goal ≤ 1 MB) {verdict(packed, 1e6)}")
    local = NOW.astimezone(SHANGHAI)
    month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    street = ctx.grid.index.leaves[0].code[:9]
    for label, query, goal in (
            (f"month {month:%Y-%m}, street {street}, by grid", CaseQuery("grid", month, None, area=street), 0.5),
            (f"month {month:%Y-%m}, district, by street", CaseQuery("street", month, None), 0.5),
            (f"{days} days, district, by street", CaseQuery("street", NOW - timedelta(days=days), None), 2.0),
            (f"{days} days, district, by worker", CaseQuery("worker", NOW - timedelta(days=days), None), 2.0),
            (f"{days} days, district, by month", CaseQuery("month", NOW - timedelta(days=days), None), 2.0)):
        took, rows = await best(repeat, lambda q=query: case_report(ctx, ADMIN, q, Weights()))
        print(f"stats {label}: {len(rows)} rows, {sum(r.figures.received for r in rows):,} cases: "
              f"{took * 1000:.0f} ms (goal ≤ {goal * 1000:.0f} ms) {verdict(took, goal)}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
