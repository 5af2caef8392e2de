"""Benchmark: a warning over an area holding 100,000 bound residents — time to target and enqueue.

What it measures: ``AlertService.receive`` for an alert over the whole demo district (division code
440307000000, 7,311 leaf cells): area → cells, storing the cells, the set-based binding query (home
grid, mini-program alert places, recent reports) plus the location pass (GCJ-02 → WGS-84 → grid lookup),
reading the targets back, building one notification per resident and one card per cell, and publishing
them through the Notifier port into the database outbox, as the service does (``--recording`` publishes
into the in-memory recorder instead, to see the targeting cost alone).

Population: ``--residents`` (default 100,000) bound to random leaves: 70 % home grid, 20 % mini-program
alert places (a quarter of them also with a home grid, to exercise the dedupe), 10 % a shared location.

Goal: ≤ 10 s on PostgreSQL for 100,000 residents.

    .venv/bin/python bench/alert_fanout.py            # PostgreSQL (GRIDLINE_TEST_PG's server)
    .venv/bin/python bench/alert_fanout.py --sqlite   # SQLite file, to compare

The PostgreSQL database ``gridline_bench_alerts`` on that server is dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import connections

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import pgdb
from bot.demo import load_demo
from intake.alerts.area import Area
from intake.alerts.notices import group_of
from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.service import AlertDraft, AlertService
from intake.alerts.signals import catalogue
from intake.grid.geodesy import wgs84_to_gcj02
from intake.grid.store import GridService
from intake.store import db
from intake.store.models_outbox import OutboxMessage
from notify.recording import RecordingNotifier
from notify.types import Notifier
from outbox.notifier import OutboxNotifier

PG_ADMIN = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
GOAL_S = 10.0


async def database(sqlite: bool) -> str:
    if sqlite:
        return f"sqlite://{tempfile.mkdtemp(prefix='alert-bench-')}/bench.sqlite3"
    return await pgdb.fresh_database(PG_ADMIN, "gridline_bench_alerts")


async def populate(grid: GridService, n: int, rng: random.Random) -> None:
    leaves = [c.code for c in grid.index.leaves]
    conn = connections.get("default")
    pg = conn.capabilities.dialect != "sqlite"
    t, f = ("TRUE", "FALSE") if pg else ("1", "0")

    def ph(k: int) -> str:
        return ", ".join(f"${i}" for i in range(1, k + 1)) if pg else ", ".join("?" * k)

    when = NOW if pg else NOW.isoformat()
    homes, places, located = int(n * 0.7), int(n * 0.2), n - int(n * 0.7) - int(n * 0.2)
    home_sql = (f"INSERT INTO residents (channel, external_id, lang, auto_submit, subscribed, location_allowed, "
                f"outbox_held, home_grid, created_at) VALUES ({ph(2)}, 'zh_CN', {f}, {t}, {f}, {f}, "
                f"{ph(4)[len(ph(2)) + 2:]})")
    rows = [["wechat", f"home-{i}", rng.choice(leaves), when] for i in range(homes)]
    rows += [["miniprogram", f"mp-{i}", rng.choice(leaves), when] for i in range(0, places, 4)]
    await conn.execute_many(home_sql, rows)
    place_sql = ("INSERT INTO mp_alert_places (openid, kind, label, lat, lng, grid_code, updated_at) "
                 f"VALUES ({ph(7)})")
    await conn.execute_many(place_sql, [[f"mp-{i}", "home", None, 22.5, 114.5, rng.choice(leaves), when]
                                        for i in range(places)])
    loc_sql = (f"INSERT INTO residents (channel, external_id, lang, auto_submit, subscribed, location_allowed, "
               f"outbox_held, last_lat, last_lng, last_location_at, created_at) VALUES ({ph(2)}, 'zh_CN', {f}, {t}, "
               f"{t}, {f}, "
               f"{ph(6)[len(ph(2)) + 2:]})")
    loc_rows = []
    for i in range(located):
        lng, lat = grid.index.centroid(rng.choice(leaves))
        glng, glat = wgs84_to_gcj02(lng, lat)
        loc_rows.append(["wechat", f"loc-{i}", glat, glng, (NOW - timedelta(hours=2)) if pg else
                         (NOW - timedelta(hours=2)).isoformat(), when])
    await conn.execute_many(loc_sql, loc_rows)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--recording", action="store_true", help="publish into memory, not the outbox")
    args = parser.parse_args()
    url = await database(args.sqlite)
    await db.migrate(url)
    await db.open_db(url)
    try:
        await load_demo(None, Path(tempfile.mkdtemp()) / "tokens.json", replace=True)
        grid = await GridService.from_db()
        t0 = time.perf_counter()
        await populate(grid, args.residents, random.Random(7))
        print(f"populated {args.residents} residents in {time.perf_counter() - t0:.1f} s")
        recorder = RecordingNotifier(maxlen=args.residents * 2 + 20_000)
        port: Notifier = recorder if args.recording else OutboxNotifier(lambda: NOW)
        policy = AlertPolicy(QuietHours.parse("22:00-07:00"))
        service = AlertService(grid, port, lambda: NOW, policy, catalogue())
        draft = AlertDraft(identifier="bench-1", sender="bench", source="admin", msg_type="Alert",
                           signal=catalogue().find("台风"), colour="red", event="台风", headline="台风红色预警",
                           message="bench", guidance=None, area=Area(divisions=("440307000000",)), sent_at=NOW)
        t0 = time.perf_counter()
        out = await service.receive(draft)
        elapsed = time.perf_counter() - t0
        residents, groups = await _counts(recorder if args.recording else None, group_of(out.alert_id))
        print(f"backend: {'sqlite' if args.sqlite else 'postgres'}; "
              f"published into {'memory' if args.recording else 'the outbox'}")
        print(f"cells targeted: {out.cells}; residents targeted: {out.residents}; "
              f"notifications: {residents} residents + {groups} grid groups")
        print(f"target + enqueue: {elapsed:.2f} s (goal <= {GOAL_S:g} s) -> {'OK' if elapsed <= GOAL_S else 'MISSED'}")
        assert residents == out.residents
        return 0 if elapsed <= GOAL_S else 1
    finally:
        await db.close_db()


async def _counts(recorder: RecordingNotifier | None, group: str) -> tuple[int, int]:
    """(resident messages, grid-group cards) that were published."""
    if recorder is not None:
        kinds = [n.recipient.kind for n in recorder.sent]
    else:
        kinds = [str(k) for k in await OutboxMessage.filter(group=group).values_list("recipient_kind", flat=True)]
    return kinds.count("resident"), kinds.count("grid_group")


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
