"""The key-value Protocol over the application's own database: slower than Redis, and always there.

Used only by :class:`bot.storage.fallback.FallbackStore` while Redis is unreachable, so that a callback
still gets its redelivery claim, the resident's turn and draft, and an answer — not a 500 that WeChat
retries three times and then drops. Every write is one statement (an upsert, or an insert that loses on
the primary key), so concurrent processes agree exactly as they do on Redis. Expiry is wall-clock epoch
seconds (all processes read one clock); expired rows are ignored, replaced on write and swept now and then.

Each operation is one hand-written statement (``?`` placeholders, :mod:`intake.store.db`): during an outage
every callback's claims, turn and draft come here, three deliveries a message, and the ORM's per-query
cost (and a delete, a transaction and an insert per claim) made the fallback a CPU bottleneck (#18).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from tortoise import connections

from bot.storage.base import Entry
from intake.store import db
from intake.store.models import KvEntry

SWEEP_EVERY = 500  # writes between deletions of expired rows
LIVE = "(expires_at IS NULL OR expires_at > ?)"
_GET = f"SELECT value FROM kv_entries WHERE key = ? AND {LIVE}"
# Inserted, or an expired holder replaced (an expired holder is no holder): a row comes back; else none.
_CLAIM = ("INSERT INTO kv_entries (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
          "SET value = excluded.value, expires_at = excluded.expires_at "
          "WHERE kv_entries.expires_at IS NOT NULL AND kv_entries.expires_at <= ? RETURNING key")
_SET = ("INSERT INTO kv_entries (key, value, expires_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at")
_DELETE_IF = f"DELETE FROM kv_entries WHERE key = ? AND value = ? AND {LIVE} RETURNING key"
_UPDATE_IF = f"UPDATE kv_entries SET value = ?, expires_at = ? WHERE key = ? AND value = ? AND {LIVE}"


def _enc(text: str) -> str:
    """PostgreSQL text cannot hold NUL, which some claim values use as a separator: escape it (reversibly)."""
    return text.replace("\\", "\\\\").replace("\x00", "\\0")


def _dec(text: str) -> str:
    return re.sub(r"\\(\\|0)", lambda m: "\\" if m.group(1) == "\\" else "\x00", text)


def _expiry(ttl_seconds: float | None) -> float | None:
    return None if ttl_seconds is None else time.time() + ttl_seconds


def _live() -> float:
    return time.time()


class DatabaseStore:
    def __init__(self, prefix: str = "") -> None:
        self._prefix, self._writes = prefix, 0

    def _k(self, key: str) -> str:
        return _enc(self._prefix + key)[:255]

    def _sql(self, sql: str) -> str:
        """``$n`` placeholders for PostgreSQL, ``?`` for SQLite."""
        if db.dialect() == "postgres":
            return sql
        for n in range(9, 0, -1):
            sql = sql.replace(f"${n}", "?")
        return sql

    async def _row(self, key: str) -> str | None:
        rows = await db.fetch(_GET, [self._k(key), _live()])
        return _dec(rows[0]["value"]) if rows else None

    async def _maybe_sweep(self) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            await KvEntry.filter(expires_at__lte=_live()).delete()

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float) -> bool:
        taken = bool(await db.fetch(_CLAIM, [self._k(key), _enc(value), _expiry(ttl_seconds), _live()]))
        if taken:
            await self._maybe_sweep()
        return taken

    async def get(self, key: str) -> str | None:
        return await self._row(key)

    async def live(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` hold a live value (one query, for the fallback's checks after an outage)."""
        if not keys:
            return set()
        marks = ", ".join("?" for _ in keys)
        rows = await db.fetch(f"SELECT key FROM kv_entries WHERE key IN ({marks}) AND {LIVE}",
                              [*(self._k(k) for k in keys), _live()])
        found = {r["key"] for r in rows}
        return {k for k in keys if self._k(k) in found}

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        await db.execute(_SET, [self._k(key), _enc(value), _expiry(ttl_seconds)])
        await self._maybe_sweep()

    async def delete(self, key: str) -> None:
        await db.execute("DELETE FROM kv_entries WHERE key = ?", [self._k(key)])

    async def compare_and_delete(self, key: str, value: str) -> bool:
        return bool(await db.fetch(_DELETE_IF, [self._k(key), _enc(value), _live()]))

    async def set_if_absent_guarded(self, guard: Entry, claims: Sequence[Entry]) -> tuple[bool, int]:
        assert guard.value is not None
        if not await self.set_if_absent(guard.key, guard.value, guard.ttl_seconds or 0.0) \
                and await self._row(guard.key) != guard.value:
            return False, 0
        taken = 0
        for claim in claims:
            assert claim.value is not None
            if not await self.set_if_absent(claim.key, claim.value, claim.ttl_seconds or 0.0):
                break
            taken += 1
        return True, taken

    async def set_many(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            if entry.only_if is not None:
                await self._write_if(entry, entry.only_if)
            elif entry.value is None:
                await self.delete(entry.key)
            else:
                await self.set(entry.key, entry.value, entry.ttl_seconds)

    async def _write_if(self, entry: Entry, only_if: str) -> None:
        """Write (or delete) ``entry`` only while its key holds ``only_if``: one statement, no read first."""
        if entry.value is None:
            await db.fetch(_DELETE_IF, [self._k(entry.key), _enc(only_if), _live()])
        else:
            await db.execute(_UPDATE_IF, [_enc(entry.value), _expiry(entry.ttl_seconds), self._k(entry.key),
                                          _enc(only_if), _live()])

    async def incr(self, key: str, ttl_seconds: float | None = None) -> int:
        k = self._k(key)
        await KvEntry.filter(key=k, expires_at__lte=_live()).delete()
        sql = self._sql("INSERT INTO kv_entries (key, value, expires_at) VALUES ($1, '1', $2) "
                        "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(kv_entries.value AS INTEGER) + 1 AS TEXT) "
                        "RETURNING value")
        rows = await connections.get("default").execute_query_dict(sql, [k, _expiry(ttl_seconds)])
        return int(rows[0]["value"])

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None
