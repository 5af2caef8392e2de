"""Live page sessions (worker and console) for an admin: list them, revoke one.

The page layer (bot/web/session.py) records a session when it starts, when it is seen (at most once a
minute), and when it ends; a revoke marks the row ended here and the page layer forgets the session in
its store, so the phone is signed out at its next request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.errors import NotFound
from intake.store.models import User
from intake.store.models_sessions import PageSession

SEEN_EVERY = timedelta(minutes=1)  # how stale "last seen" may be: not a database write per page view
_BROWSERS = (("wxwork", "WeCom"), ("micromessenger", "WeChat"), ("edg/", "Edge"), ("firefox/", "Firefox"),
             ("chrome/", "Chrome"), ("chromium/", "Chromium"), ("safari/", "Safari"), ("curl/", "curl"))
_SYSTEMS = (("harmonyos", "HarmonyOS"), ("android", "Android"), ("iphone", "iOS"), ("ipad", "iPadOS"),
            ("windows", "Windows"), ("mac os", "macOS"), ("linux", "Linux"))


def summary(user_agent: str) -> str:
    """``WeCom · Android``: enough to tell a worker's phones apart, nothing more of the header."""
    ua = re.sub(r"\s+", " ", user_agent.lower())[:512]
    browser = next((name for needle, name in _BROWSERS if needle in ua), "other")
    system = next((name for needle, name in _SYSTEMS if needle in ua), "")
    return f"{browser} · {system}" if system else browser


@dataclass(frozen=True, slots=True)
class LiveSession:
    id: int
    namespace: str
    user_id: int
    user_name: str
    role: str
    created_at: datetime
    last_seen_at: datetime
    device: str


async def started(digest: str, namespace: str, user_id: int, user_agent: str, now: datetime,
                  idle: timedelta) -> None:
    await PageSession.create(digest=digest, namespace=namespace, user_id=user_id, created_at=now,
                             last_seen_at=now, expires_at=now + idle, user_agent=summary(user_agent))


async def seen(digest: str, now: datetime, idle: timedelta) -> None:
    await PageSession.filter(digest=digest, ended_at__isnull=True).update(last_seen_at=now, expires_at=now + idle)


async def ended(digest: str, now: datetime, why: str) -> None:
    await PageSession.filter(digest=digest, ended_at__isnull=True).update(ended_at=now, ended_by=why[:32])


async def ended_for_user(user_id: int, namespace: str, now: datetime, why: str) -> None:
    await PageSession.filter(user_id=user_id, namespace=namespace, ended_at__isnull=True).update(
        ended_at=now, ended_by=why[:32])


async def live(now: datetime, namespace: str | None = None, user_id: int | None = None,
               limit: int = 500) -> list[LiveSession]:
    """Sessions not ended and not idle past their timeout, last seen first."""
    q = PageSession.filter(ended_at__isnull=True, expires_at__gt=now)
    if namespace is not None:
        q = q.filter(namespace=namespace)
    if user_id is not None:
        q = q.filter(user_id=user_id)
    rows = await q.order_by("-last_seen_at").limit(limit)
    users = {u.id: u for u in await User.filter(id__in={r.user_id for r in rows})}
    return [LiveSession(r.id, r.namespace, r.user_id, users[r.user_id].name if r.user_id in users else "?",
                        users[r.user_id].role if r.user_id in users else "?", r.created_at, r.last_seen_at,
                        r.user_agent) for r in rows]


async def revoke(session_id: int, admin_id: int | None, now: datetime) -> tuple[str, str]:
    """End one live session; its ``(namespace, digest)``, for the page layer to forget it in its store."""
    row = await PageSession.get_or_none(id=session_id, ended_at__isnull=True, expires_at__gt=now)
    if row is None:
        raise NotFound(f"no live session {session_id}")
    await ended(row.digest, now, f"revoked:{admin_id}" if admin_id is not None else "revoked")
    return row.namespace, row.digest
