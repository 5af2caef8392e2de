"""A blank database created from the schema snapshot (``intake/store/snapshot.py``) is the database the
migration history builds: same tables, columns, types, defaults, nullability, indexes (partial ones too),
constraints, triggers, functions and comments, and the same migration records. A later ``migrate`` on it
does nothing, and a migration newer than the snapshot is applied on top.

Migrating runs in a child process (it closes Tortoise's connections, which this process holds open on the
shared session database); the catalogs are read here with the drivers alone.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from intake.store import db, snapshot
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import asyncio, sys
from intake.store import db
url, history, package = sys.argv[1], sys.argv[2] == "history", sys.argv[3]
asyncio.run(db.migrate(url, use_snapshot=not history, migrations=package))
"""

PROBE_PACKAGE = """
import intake.store.migrations as shipped
__path__ = [*shipped.__path__, __path__[0]]  # the shipped migrations, then this folder's
"""

PROBE = """
from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [("gridline", "{after}")]
    operations = [ops.RunSQL("CREATE TABLE probe_future (id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL)")]
"""

SQLITE_CATALOG = {
    "objects": "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",
    "columns": "SELECT m.name, c.* FROM sqlite_master m, pragma_table_xinfo(m.name) c WHERE m.type = 'table' "
               "ORDER BY m.name, c.cid",
    "foreign keys": "SELECT m.name, f.* FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
                    "WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq",
}
_IN_SCHEMA = "= current_schema()::regnamespace"
PG_CATALOG = {
    "relations": f"SELECT relname, relkind, relpersistence FROM pg_class WHERE relnamespace {_IN_SCHEMA} ORDER BY 1",
    "columns": "SELECT table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length, "
               "numeric_precision, numeric_scale, datetime_precision, column_default, is_nullable, is_identity "
               "FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 3",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
               "ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                   f"WHERE connamespace {_IN_SCHEMA} ORDER BY 1, 2",
    "triggers": "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c "
                f"ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace {_IN_SCHEMA} ORDER BY 1, 2",
    "functions": f"SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace {_IN_SCHEMA} ORDER BY 1",
    "comments": "SELECT c.relname, d.objsubid, d.description FROM pg_description d JOIN pg_class c ON c.oid = "
                f"d.objoid AND d.classoid = 'pg_class'::regclass WHERE c.relnamespace {_IN_SCHEMA} ORDER BY 1, 2",
    "sequences": "SELECT sequence_name, data_type, start_value, minimum_value, maximum_value, increment, "
                 "cycle_option FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY 1",
    "owned sequences": "SELECT s.relname, t.relname, a.attname, d.deptype FROM pg_depend d "
                       "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_class t ON t.oid = d.refobjid "
                       "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
                       f"WHERE s.relnamespace {_IN_SCHEMA} ORDER BY 1",
}
RECORDS = "SELECT id, app, name, applied_at FROM tortoise_migrations ORDER BY id"


def test_the_snapshots_name_every_migration() -> None:
    """A migration added without ``tools/schema_snapshot.py`` fails here (and the comparison below)."""
    for dialect in ("sqlite", "postgres"):
        assert snapshot.load(dialect).migrations == snapshot.on_disk(db.MIGRATIONS), (
            f"intake/store/schema/{dialect}.sql is stale: run .venv/bin/python tools/schema_snapshot.py")


def test_sqlite_statements_keep_trigger_bodies_whole() -> None:
    sql = ("-- migration: 0001_x\n\nCREATE TABLE t (a INT);\n\nCREATE TRIGGER t_no BEFORE DELETE ON t\n"
           "BEGIN SELECT RAISE(ABORT, 'no; never'); END;\n")
    assert snapshot.statements(sql) == ["CREATE TABLE t (a INT);",
                                        "CREATE TRIGGER t_no BEFORE DELETE ON t\nBEGIN SELECT RAISE(ABORT, "
                                        "'no; never'); END;"]


async def test_a_database_with_anything_in_it_is_left_to_the_history(tmp_path: Path) -> None:
    path = tmp_path / "occupied.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE someone_elses (id INTEGER)")
    assert not await snapshot.create_if_blank(f"sqlite://{path}", None, db.MIGRATIONS, db.APP)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("someone_elses",)]


class _Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the lock's connection was used ({name})")


async def test_where_the_lock_connection_would_see_another_database_the_snapshot_is_not_used() -> None:
    assert not await snapshot.create_if_blank("sqlite://:memory:", None, db.MIGRATIONS, db.APP)
    url = "postgres://gridline@127.0.0.1:5432/gridline?schema=city&maxsize=5"  # Tortoise's search path, not the lock's
    assert not await snapshot.create_if_blank(url, _Untouchable(), db.MIGRATIONS, db.APP)


@pytest.fixture(params=["sqlite", "postgres"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """Three blank databases of one backend."""
    if request.param == "sqlite":
        yield [f"sqlite://{tmp_path / f'{n}.sqlite3'}" for n in "abc"]
        return
    names = [f"gridline_snap_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    try:
        asyncio.run(_admin([f'CREATE DATABASE "{n}"' for n in names]))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc!r}")
    try:
        yield [f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{n}" for n in names]
    finally:
        asyncio.run(_admin([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names]))


async def _admin(statements: list[str]) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


def _migrate(url: str, *, history: bool = False, package: str = db.MIGRATIONS, path: Path = ROOT) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(path)])}
    done = subprocess.run([sys.executable, "-c", CHILD, url, "history" if history else "snapshot", package],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def _catalog(url: str) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """The schema as the catalogs describe it, and the migration records."""
    if url.startswith("sqlite://"):
        conn = sqlite3.connect(url.removeprefix("sqlite://"))
        try:
            return ({k: conn.execute(q).fetchall() for k, q in SQLITE_CATALOG.items()},
                    conn.execute(RECORDS).fetchall())
        finally:
            conn.close()
    return asyncio.run(_pg_catalog(url))


async def _pg_catalog(url: str) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        schema = {k: [tuple(r) for r in await conn.fetch(q)] for k, q in PG_CATALOG.items()}
        return schema, [tuple(r) for r in await conn.fetch(RECORDS)]
    finally:
        await conn.close()


def test_the_snapshot_builds_what_the_history_builds(urls: list[str], tmp_path: Path) -> None:
    by_history, by_snapshot, with_newer = urls
    _migrate(by_history, history=True)
    _migrate(by_snapshot)
    schema, records = _catalog(by_history)
    snap_schema, snap_records = _catalog(by_snapshot)
    assert sum(len(rows) for rows in schema.values()) > 500  # the catalogs were read, not empty on both sides
    for part, rows in schema.items():
        assert snap_schema[part] == rows, f"{part} differ: run .venv/bin/python tools/schema_snapshot.py"
    names = [r[:3] for r in records]
    assert [r[:3] for r in snap_records] == names
    assert [r[2] for r in records] == list(snapshot.on_disk(db.MIGRATIONS))
    assert len({r[3] for r in snap_records}) == 1, "the snapshot is behind the migrations: run tools/schema_snapshot.py"
    assert type(snap_records[0][3]) is type(records[0][3])  # stored alike: text on SQLite

    _migrate(by_snapshot)  # a later start: nothing to do
    assert _catalog(by_snapshot) == (snap_schema, snap_records)

    # A migration newer than the snapshot: a blank database gets the snapshot, then that migration.
    package = tmp_path / "probe_migrations"
    package.mkdir()
    (package / "__init__.py").write_text(PROBE_PACKAGE)
    last = names[-1][2]
    newer = f"{int(last[:4]) + 1:04d}_probe"
    (package / f"{newer}.py").write_text(PROBE.format(after=last))
    _migrate(with_newer, package="probe_migrations", path=tmp_path)
    newer_schema, newer_records = _catalog(with_newer)
    assert [r[2] for r in newer_records] == [*[n[2] for n in names], newer]
    tables = newer_schema.get("relations") or [r for r in newer_schema["objects"] if r[0] == "table"]
    assert any("probe_future" in r for r in tables)
