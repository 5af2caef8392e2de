"""Database wiring: Tortoise configuration, start-up, migrations and health.

Migrations use Tortoise's own migration engine (``intake/store/migrations``):
its operations are dialect-neutral, so one history serves SQLite and PostgreSQL. A blank database
gets the history's end result in one step instead (``intake/store/snapshot.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.transactions import in_transaction

from intake.store import snapshot

APP = "gridline"
MIGRATIONS = "intake.store.migrations"
MIGRATION_LOCK = 0x67726964  # "grid": the advisory lock key migrations hold on PostgreSQL


# One module per feature so that features can grow their tables independently.
MODEL_MODULES = ["intake.store.models", "intake.store.models_nlp", "intake.store.models_outbox",
                 "intake.store.models_alerts", "intake.store.models_surveys",
                 "intake.store.models_workflow", "intake.store.models_console",
                 "intake.store.models_sessions", "intake.store.models_stats"]


def tortoise_config(database_url: str, migrations: str = MIGRATIONS) -> dict[str, Any]:
    """The Tortoise config for one database URL (``sqlite://…`` or ``postgres://…``)."""
    url = database_url.replace("postgresql://", "postgres://", 1)
    connection: str | dict[str, Any] = url
    if url.startswith("postgres://"):
        connection = expand_db_url(url)
        # asyncpg resets every connection it takes back into the pool (UNLISTEN, advisory unlock,
        # RESET ALL …), and Tortoise takes one per query. We use none of those session features,
        # so skipping the reset halves the cost of each query.
        connection["credentials"]["reset"] = _no_reset
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": migrations,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str, *, use_snapshot: bool = True, migrations: str = MIGRATIONS) -> None:
    """Apply every pending migration (idempotent). On PostgreSQL one process at a time: several replicas
    starting together after a release (Kubernetes) would otherwise run the same DDL at once.

    A blank database is created from the schema snapshot unless ``use_snapshot`` is false (what the
    snapshot is made from and compared with); ``migrations`` is the package (tests add one of their own)."""
    _prepare_sqlite_dir(database_url)
    async with _migration_lock(database_url) as pg:
        if use_snapshot and await snapshot.create_if_blank(database_url, pg, migrations, APP):
            return
        try:
            await tortoise_migrate(config=tortoise_config(database_url, migrations))
        finally:
            # aiosqlite's worker thread would keep the process alive after an error.
            await close_db()


@asynccontextmanager
async def _migration_lock(database_url: str) -> AsyncIterator[asyncpg.Connection | None]:
    """A session-level advisory lock on its own connection, released when the connection closes (a
    migrating process that dies frees it); yields that connection. SQLite needs none: one file, one writer."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    # Only where and who: the URL's query holds pool options for Tortoise (maxsize=…), not server settings.
    given = expand_db_url(database_url.replace("postgresql://", "postgres://", 1))["credentials"]
    where = {k: given[k] for k in ("host", "port", "user", "password", "database") if given.get(k) is not None}
    conn = await asyncpg.connect(**where, timeout=30)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield conn
    finally:
        await conn.close()


async def open_db(database_url: str) -> None:
    """Connect the ORM; call :func:`migrate` first."""
    _prepare_sqlite_dir(database_url)
    await Tortoise.init(config=tortoise_config(database_url))


async def close_db() -> None:
    """Close the connections of the current context, if any: after migrations, after ``prepare_database``
    and at shutdown. ``Tortoise.close_connections`` would do the same but logs "Tortoise-ORM shutdown" at
    INFO each time, so every CLI command and every start began with a shutdown line."""
    context = Tortoise._get_context()
    if context is not None:
        await context.close_connections()
    # Unbind the models and drop Tortoise's cached INSERT statements: the cache is keyed by connection
    # name, not dialect, and a process (the test suite) may open another backend under the same name next.
    await Tortoise._reset_apps()
    EXECUTOR_CACHE.clear()


# The database is away (restarting, unreachable, refusing connections): worth trying again shortly, unlike
# an error in what was asked of it.
AWAY: tuple[type[BaseException], ...] = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                                         asyncpg.exceptions.OperatorInterventionError, DBConnectionError)


async def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver error means "down" to the health check
        return False
    return True


# Hand-written SQL for the hot paths: write ``?`` placeholders, they become ``$n`` on PostgreSQL.

def native(conn: Any, sql: str) -> str:
    if conn.capabilities.dialect == "sqlite":
        return sql
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))


async def fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    conn = connections.get("default")
    return [dict(row) for row in await conn.execute_query_dict(native(conn, sql), params)]


async def fetch_report(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """:func:`fetch` for a statistics query over many rows. On PostgreSQL its cost estimate switches JIT
    compilation on, which spends 100–400 ms compiling a query that then runs in less: off for this one
    (``SET LOCAL`` ends with the transaction)."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        return await fetch(sql, params)
    async with in_transaction() as tx:
        await tx.execute_script("SET LOCAL jit = off")
        return [dict(row) for row in await tx.execute_query_dict(native(tx, sql), params)]


async def execute(sql: str, params: list[Any]) -> None:
    conn = connections.get("default")
    await conn.execute_query(native(conn, sql), params)


async def execute_all(statements: list[tuple[str, list[Any]]]) -> None:
    """Several statements in one transaction (all or none), each with its own ``?`` parameters."""
    async with in_transaction() as tx:
        for sql, params in statements:
            await tx.execute_query(native(tx, sql), params)


async def execute_many(sql: str, rows: list[list[Any]]) -> None:
    conn = connections.get("default")
    await conn.execute_many(native(conn, sql), rows)


def db_value(model: Any, name: str, value: Any) -> Any:
    """``value`` as the driver wants it for ``model.name`` (SQLite keeps datetimes and JSON as text)."""
    return model._meta.fields_map[name].to_db_value(value, model)


def dialect() -> str:
    """``sqlite`` or ``postgres`` for the open connection."""
    return str(connections.get("default").capabilities.dialect)


async def _no_reset(conn: object) -> None:
    return None


def _prepare_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://"):
        from pathlib import Path

        path = database_url[len("sqlite://"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
