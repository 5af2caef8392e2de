"""EXPLAIN ANALYZE of the statistics report, and of the desk's counts and a queue page as the busiest
street's dispatcher, on the kept bench database (``bench/console_map.py --keep``): where the time goes.
Run: ``.venv/bin/python bench/console_explain.py [days] [group]``, or ``... desk [queue]`` for the desk alone,
or ``... heat [days]`` for the heat map's computation: wall time and the database's CPU time per run (read
from ``/proc`` for this database's server processes, so only where the server runs on this machine). On a
shared, loaded machine the CPU time is the steadier figure: the wall time is mostly waiting for a core.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.console_map import ADMIN, NAME, NOW, PG_ADMIN, busiest_street
from bot.composition import build_context
from bot.web.auth import staff_actor
from intake.cases import desk
from intake.grid.model import Datum
from intake.map.points import HeatQuery, heat_json
from intake.stats.cases import statement
from intake.stats.query import CaseQuery
from intake.store import db
from intake.store.models import User, UserGrid
from notify.recording import RecordingNotifier


def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], start=1))


async def explain_desk(conn: asyncpg.Connection, queue: str) -> None:
    street = await busiest_street(100_000)
    link = await UserGrid.filter(grid_code=street, user__role="dispatcher").first()
    assert link is not None, f"no dispatcher for street {street}"
    actor = await staff_actor(await User.get(id=link.user_id))  # type: ignore[attr-defined]
    for label, (sql, params) in (("counts", desk.counts_statement(actor, NOW, desk.DeskFilter())),
                                 (f"page of {queue}", desk.page_statement(actor, queue, NOW, desk.DeskFilter()))):
        plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _numbered(sql), *params)
        print(f"--- desk {label}, dispatcher of street {street}")
        print("\n".join(r[0] for r in plan))


def _cpu_s(pids: list[int]) -> dict[int, float]:
    """User plus system CPU seconds of each process (Linux ``/proc``); one that is gone counts as none."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


async def heat_cpu(days: int, runs: int = 10) -> None:
    query = HeatQuery(NOW - timedelta(days=days))
    await heat_json(ADMIN, query, Datum.WGS84)  # the pool's connection opened, the pages cached

    async def backends() -> list[int]:
        return [int(r["pid"]) for r in await db.fetch("SELECT pid FROM pg_stat_activity WHERE datname = ?", [NAME])]
    before, t0 = _cpu_s(await backends()), time.perf_counter()
    for _ in range(runs):
        text = await heat_json(ADMIN, query, Datum.WGS84)
    wall = (time.perf_counter() - t0) / runs
    after = _cpu_s(await backends())
    cpu = sum(v - before.get(pid, 0.0) for pid, v in after.items()) / runs if after else float("nan")
    print(f"heat map, {days} days, {len(text) / 1e6:.2f} MB JSON: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms "
          f"of the database's CPU per computation (mean of {runs}); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


async def main() -> None:
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + NAME
    await db.open_db(url)
    if len(sys.argv) > 1 and sys.argv[1] == "heat":
        await heat_cpu(int(sys.argv[2]) if len(sys.argv) > 2 else 730)
        await db.close_db()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "desk":
        conn = await asyncpg.connect(url)
        await explain_desk(conn, sys.argv[2] if len(sys.argv) > 2 else "overdue")
        await conn.close()
        await db.close_db()
        return
    ctx = (await build_context(RecordingNotifier(), lambda: NOW)).ctx
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 730
    conn = await asyncpg.connect(url)
    await conn.execute("SET jit = off")
    for rollup in (True, False):
        t0 = time.perf_counter()
        sql, params = await statement(ctx, ADMIN, CaseQuery(sys.argv[2] if len(sys.argv) > 2 else "street",
                                                            NOW - timedelta(days=days)), rollup=rollup)
        planned = time.perf_counter() - t0
        plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _numbered(sql), *params)
        print(f"--- rollup={rollup} (plan() {planned * 1000:.0f} ms)")
        print("\n".join(r[0] for r in plan))
    await conn.close()
    await db.close_db()


if __name__ == "__main__":
    asyncio.run(main())
