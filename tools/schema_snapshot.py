"""Rewrite the schema snapshots, ``intake/store/schema/{sqlite,postgres}.sql``, after adding a migration.

The whole migration history builds a scratch database of each kind (Tortoise, as ``gridline migrate`` on
an old database does). SQLite's snapshot is dumped from ``sqlite_master``, which keeps each statement's own
text. PostgreSQL's is the DDL the history sent, in order: a dump (``pg_dump``) is not the same schema once
read back, since it writes a partial index's condition as the server deparsed it and that parses into
another expression tree (one the planner may no longer match with a query's condition), and a dropped
column's gap in the column numbers cannot be dumped. It needs a server: ``GRIDLINE_TEST_PG``, default the
test suite's. A blank database is then created from them in one step (``intake/store/snapshot.py``).
Deterministic: a rebuild that changes nothing is byte-identical, and tests/intake/test_schema_snapshot.py
fails until it is run.

    .venv/bin/python tools/schema_snapshot.py
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg
from asyncpg.connection import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.store import db
from intake.store.snapshot import MIGRATION_LINE, SCHEMA_DIR

PG_ADMIN_URL = os.environ.get("GRIDLINE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
HEADER = "-- The schema the migrations in intake/store/migrations build, written by tools/schema_snapshot.py.\n"
# What the history sends that builds the schema; its reads and data updates find nothing on a blank database.
DDL = re.compile(r"(CREATE|ALTER|DROP|COMMENT|DO)\b", re.IGNORECASE)
SQLITE_ORDER = "CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, name"


def header(names: list[str]) -> str:
    return HEADER + "".join(f"{MIGRATION_LINE}{name}\n" for name in names) + "\n"


def dump_sqlite(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM tortoise_migrations ORDER BY id")]
        rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                            f"AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY {SQLITE_ORDER}").fetchall()
    finally:
        conn.close()
    return header(names) + "".join(f"{sql};\n\n" for (sql,) in rows).rstrip("\n") + "\n"


def recording(sent: list[str]) -> ExitStack:
    """asyncpg's query methods, each noting the DDL it is given in ``sent``."""
    def wrap(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def noting(self: Connection, query: str, *args: Any, **kwargs: Any) -> Any:
            if DDL.match(re.sub(r"^(\s|--[^\n]*\n)*", "", query)):
                sent.append(query.strip().rstrip(";").strip())
            return await method(self, query, *args, **kwargs)
        return noting

    stack = ExitStack()
    for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
        stack.enter_context(mock.patch.object(Connection, name, wrap(getattr(Connection, name))))
    return stack


async def build_sqlite() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        await db.migrate(f"sqlite://{path}", use_snapshot=False)
        return dump_sqlite(path)


async def build_postgres() -> str:
    name = f"gridline_snapshot_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
            sent: list[str] = []
            with recording(sent):
                await db.migrate(url, use_snapshot=False)
            conn = await asyncpg.connect(url, timeout=10)
            try:
                names = [r["name"] for r in await conn.fetch("SELECT name FROM tortoise_migrations ORDER BY id")]
            finally:
                await conn.close()
            return header(names) + "".join(f"{sql};\n\n" for sql in sent).rstrip("\n") + "\n"
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for dialect, build in (("sqlite", build_sqlite), ("postgres", build_postgres)):
        target = SCHEMA_DIR / f"{dialect}.sql"
        text = await build()
        changed = not target.exists() or target.read_text(encoding="utf-8") != text
        target.write_text(text, encoding="utf-8")
        print(f"{target.relative_to(SCHEMA_DIR.parents[2])}: {'rewritten' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
