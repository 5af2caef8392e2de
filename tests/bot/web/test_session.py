"""The shared page sessions: namespaces keep the worker's and the console's apart; the CSRF check."""

from __future__ import annotations

from datetime import timedelta

from bot.storage.memory import MemoryStore
from bot.web.session import Session, Sessions, csrf_ok
from bot.worker.session import Sessions as WorkerSessions


async def test_a_session_of_one_namespace_does_not_open_another() -> None:
    kv = MemoryStore()
    console, worker = Sessions(kv, timedelta(hours=1), "console"), WorkerSessions(kv, timedelta(hours=1))
    session = await console.start(7)
    assert await worker.load(session.sid) is None
    loaded = await console.load(session.sid)
    assert loaded == session
    await worker.sign_out_everywhere(7)  # the worker's generation moves; the console's session stays
    assert await console.load(session.sid) == session


async def test_worker_keys_are_unchanged_by_the_move() -> None:
    kv = MemoryStore()
    session = await WorkerSessions(kv, timedelta(hours=1)).start(3)
    assert await Sessions(kv, timedelta(hours=1), "worker").load(session.sid) == session


def test_csrf_needs_the_sessions_own_token() -> None:
    session = Session("sid", 1, "token-abc")
    assert csrf_ok(session, "token-abc")
    for bad in ("token-abd", "", None, ["token-abc"], "token-abc" * 2):
        assert not csrf_ok(session, bad)
