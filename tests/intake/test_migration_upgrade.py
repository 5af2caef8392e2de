"""A database with rows in it upgrades: each migration since the first release is applied to a
populated database of the version before it, on SQLite and PostgreSQL.

Run in a child process: migrating opens Tortoise's ``default`` connection, which this test
process holds open on the shared session database.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]

# (the migration before, SQL that fills it with rows the next migration must live with, a check after)
UPGRADES = [
    ("gridline.0007_surveys",
     "INSERT INTO residents (channel, external_id, lang, auto_submit, subscribed, location_allowed, created_at) "
     "VALUES ('wechat', 'before-0008', 'zh_CN', FALSE, TRUE, FALSE, CURRENT_TIMESTAMP)",
     "SELECT outbox_held FROM residents WHERE external_id = 'before-0008'"),
    ("gridline.0008_resident_outbox_held",
     "INSERT INTO users (name, role, token_hash, active, origin, created_at) "
     "VALUES ('before-0009', 'worker', 'h0009', TRUE, 'manual', CURRENT_TIMESTAMP)",
     "SELECT on_leave FROM users WHERE name = 'before-0009'"),
]

CHILD = """
import asyncio, sys
from tortoise import connections
from tortoise.migrations.api import migrate
from intake.store import db

url, target, fill, check = sys.argv[1:5]

async def main():
    db._prepare_sqlite_dir(url)
    await migrate(config=db.tortoise_config(url), target=target)
    await db.close_db()
    await db.open_db(url)
    await connections.get("default").execute_query(fill)
    await db.close_db()
    await db.migrate(url)  # everything after the target, as `gridline migrate` does
    await db.open_db(url)
    rows = await connections.get("default").execute_query_dict(check)
    await db.close_db()
    print(repr([tuple(r.values()) for r in rows]))

asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        return
    name = f"gridline_upgrade_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(sql: str) -> None:
    import asyncio

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.mark.parametrize(("target", "fill", "check"), UPGRADES, ids=[u[0] for u in UPGRADES])
def test_a_populated_database_upgrades(url: str, target: str, fill: str, check: str) -> None:
    result = subprocess.run([sys.executable, "-c", CHILD, url, target, fill, check], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] in ("[(False,)]", "[(0,)]")  # SQLite keeps booleans as 0/1
