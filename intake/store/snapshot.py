"""A blank database's schema in one step, from a snapshot of what the whole migration history builds.

Replaying the history on an empty database cost a newcomer's first ``gridline serve`` seconds of CPU:
Tortoise re-renders its in-memory model state after each of the operations (the DDL itself is cheap).
``schema/<dialect>.sql`` gives that history's end result: SQLite's is dumped from a database the history
built, PostgreSQL's is the DDL the history sent (``tools/schema_snapshot.py`` writes both and says why;
tests/intake/test_schema_snapshot.py proves each gives the same schema and migration records). A
database with anything in it still takes the history, and a migration newer than the snapshot is
applied on top by Tortoise as usual.
"""

from __future__ import annotations

import asyncio
import pkgutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

SCHEMA_DIR = Path(__file__).with_name("schema")
MIGRATION_LINE = "-- migration: "  # the snapshot file's header names the migrations it contains, in order
RECORD = "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ({}, {}, {})"

# Anything of ours in the schema means the database is not blank: tables, views, sequences, functions
# (an extension's functions are not ours).
PG_OCCUPIED = """SELECT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = current_schema()::regnamespace
                                AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
                 OR EXISTS (SELECT 1 FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace
                            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))"""
SQLITE_OCCUPIED = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'"


@dataclass(frozen=True, slots=True)
class Snapshot:
    migrations: tuple[str, ...]  # as Tortoise records them applied, in order
    sql: str


def load(dialect: str) -> Snapshot:
    sql = (SCHEMA_DIR / f"{dialect}.sql").read_text(encoding="utf-8")
    names = tuple(line.removeprefix(MIGRATION_LINE).strip() for line in sql.splitlines()
                  if line.startswith(MIGRATION_LINE))
    return Snapshot(names, sql)


def on_disk(package: str) -> tuple[str, ...]:
    """The migration names in ``package``, chosen as Tortoise's loader chooses them (without importing them)."""
    module = import_module(package)
    return tuple(sorted(name for _, name, is_pkg in pkgutil.iter_modules(module.__path__)
                        if not is_pkg and name[0] not in "_~"))


def statements(sql: str) -> list[str]:
    """SQLite's snapshot, one statement at a time (a trigger's body holds semicolons of its own)."""
    found, current = [], ""
    for line in sql.splitlines(keepends=True):
        if not current and (not line.strip() or line.startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    return found


async def create_if_blank(database_url: str, pg: asyncpg.Connection | None, package: str, app: str) -> bool:
    """Create the schema from the snapshot if the database is blank; True when nothing is left to migrate.

    PostgreSQL: ``pg`` is the connection that holds the migration lock. A snapshot naming a migration that
    is not on disk (a branch switched back) is not used: the history decides. Nor is it where the lock's
    connection would not see the database Tortoise sees: a URL naming a schema (Tortoise's ``schema=``
    sets the search path of its own connections only), SQLite in memory."""
    dialect = "postgres" if pg is not None else "sqlite"
    snapshot, present = load(dialect), on_disk(package)
    if present[:len(snapshot.migrations)] != snapshot.migrations:
        return False
    given = expand_db_url(database_url.replace("postgresql://", "postgres://", 1))["credentials"]
    applied_at = datetime.now(UTC)
    if pg is not None:
        if given.get("schema"):
            return False
        created = await _create_postgres(pg, snapshot, app, applied_at)
    else:
        if given["file_path"] == ":memory:":
            return False
        created = await asyncio.to_thread(_create_sqlite, given["file_path"], str(given["journal_mode"]),
                                          snapshot, app, applied_at)
    return created and present == snapshot.migrations


async def _create_postgres(conn: asyncpg.Connection, snapshot: Snapshot, app: str, applied_at: datetime) -> bool:
    async with conn.transaction():
        if await conn.fetchval(PG_OCCUPIED):
            return False
        await conn.execute(snapshot.sql)
        await conn.executemany(RECORD.format("$1", "$2", "$3"),
                               [(app, name, applied_at) for name in snapshot.migrations])
    return True


def _create_sqlite(path: str, journal_mode: str, snapshot: Snapshot, app: str, applied_at: datetime) -> bool:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # The mode Tortoise's client sets when it connects (kept in the file): the history left it so.
        conn.execute(f"PRAGMA journal_mode={journal_mode}")
        conn.execute("BEGIN IMMEDIATE")  # another process creating it waits here, then finds it occupied
        try:
            if conn.execute(SQLITE_OCCUPIED).fetchone()[0]:
                conn.execute("ROLLBACK")
                return False
            for sql in statements(snapshot.sql):
                conn.execute(sql)
            # Stored as Tortoise's SQLite client stores a datetime (the stdlib adapter's text).
            rows: list[Any] = [(app, name, applied_at.isoformat(" ")) for name in snapshot.migrations]
            conn.executemany(RECORD.format("?", "?", "?"), rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return True
