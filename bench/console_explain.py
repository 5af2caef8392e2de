"""EXPLAIN ANALYZE of the statistics report, and of the desk's counts and a queue page as the busiest
street's dispatcher, on the kept bench database (``bench/console_map.py --keep``): where the time goes.
Run: ``.venv/bin/python bench/console_explain.py [days] [group]``, or ``... desk [queue]`` for the desk alone.
"""

from __future__ import annotations

import asyncio
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


async def main() -> None:
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + NAME
    await db.open_db(url)
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
