"""Worker sessions on both key-value stores: start, load, idle timeout, flash once, end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.storage.base import KeyValueStore
from bot.storage.memory import MemoryStore
from bot.storage.redis import RedisStore
from bot.worker.session import Sessions


@pytest.fixture(params=["memory", "redis"])
async def kv(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    store: KeyValueStore = MemoryStore() if request.param == "memory" else \
        RedisStore(request.getfixturevalue("redis_url"), prefix="gridline-test:")
    yield store
    await store.close()


async def test_a_session_lives_while_used_and_ends_when_idle(kv: KeyValueStore) -> None:
    sessions = Sessions(kv, timedelta(seconds=0.6))
    session = await sessions.start(42)
    assert len(session.sid) >= 40 and session.csrf != session.sid
    for _ in range(3):  # each request renews the idle timeout
        await asyncio.sleep(0.3)
        assert await sessions.load(session.sid) == session
    await asyncio.sleep(0.9)
    assert await sessions.load(session.sid) is None


async def test_flash_is_shown_once_and_end_forgets_everything(kv: KeyValueStore) -> None:
    sessions = Sessions(kv, timedelta(minutes=5))
    session = await sessions.start(7)
    await sessions.flash(session.sid, "已完成：接单", "ok")
    assert await sessions.pop_flash(session.sid) == {"text": "已完成：接单", "kind": "ok"}
    assert await sessions.pop_flash(session.sid) is None
    await sessions.end(session.sid)
    assert await sessions.load(session.sid) is None


@pytest.mark.parametrize("sid", ["", "x" * 65, "not-a-session", "\x00"])
async def test_unknown_or_hostile_cookies_are_no_session(kv: KeyValueStore, sid: str) -> None:
    assert await Sessions(kv, timedelta(minutes=5)).load(sid) is None


async def test_signing_out_everywhere_ends_every_session_of_that_user_only(kv: KeyValueStore) -> None:
    sessions = Sessions(kv, timedelta(minutes=5))
    user = 10_000 + id(kv) % 10_000  # its own user: the Redis store outlives the test
    phone, tablet, other = await sessions.start(user), await sessions.start(user), await sessions.start(user + 1)
    await sessions.sign_out_everywhere(user)
    assert await sessions.load(phone.sid) is None and await sessions.load(tablet.sid) is None
    assert await sessions.load(other.sid) == other
    fresh = await sessions.start(user)  # signing in again afterwards works
    assert await sessions.load(fresh.sid) == fresh
