"""A throw-away PostgreSQL database for a benchmark or the crash test (dropped and created again)."""

from __future__ import annotations

import asyncpg


async def fresh_database(admin_url: str, name: str) -> str:
    """``name`` on the server of ``admin_url``, empty; returns its URL."""
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
