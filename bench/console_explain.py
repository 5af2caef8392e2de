"""EXPLAIN ANALYZE of the statistics report and the heat map on the kept bench database
(``bench/console_map.py --keep``): where the time goes. Run: ``.venv/bin/python bench/console_explain.py``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.console_map import ADMIN, NAME, NOW, PG_ADMIN
from bot.composition import build_context
from intake.stats.cases import statement
from intake.stats.query import CaseQuery
from intake.store import db
from notify.recording import RecordingNotifier


def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], start=1))


async def main() -> None:
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + NAME
    await db.open_db(url)
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
