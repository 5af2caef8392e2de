"""Several processes migrating one fresh PostgreSQL database at once (replicas starting together after a
release) all succeed: one migrates, the others wait on the advisory lock and find nothing left to do."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg

from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


async def _fresh_database() -> str:
    name = f"gridline_lock_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def test_concurrent_migrations_all_succeed(redis_url: str) -> None:
    name = await _fresh_database()
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    # with a pool option in the query, as deployments write it (the lock connection must not pass it on)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRIDLINE_DATABASE_URL": url + "?maxsize=5"}
    try:
        procs = [await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "migrate", env=env, cwd=ROOT,
                                                      stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                 for _ in range(3)]
        results = await asyncio.gather(*(p.communicate() for p in procs))
        for proc, (_, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, err.decode()[-2000:]
        conn = await asyncpg.connect(url, timeout=5)
        try:
            assert await conn.fetchval("SELECT count(*) FROM kv_entries") == 0  # the last migration's table
        finally:
            await conn.close()
    finally:
        await _drop(name)
