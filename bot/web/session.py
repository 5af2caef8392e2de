"""Page sessions in the key-value store (memory or Redis), so every process sees the same ones.

The cookie holds a random id; the store holds, under the id's SHA-256 (a dump of the store reveals no
usable cookie), the user and the session's CSRF token. Each request renews the idle timeout. A flash
message (the result of the last action) waits under its own key until the next page shows it.
Each kind of page (worker, console) keeps its sessions under its own ``namespace``, so a cookie of one
never opens the other. A lost phone: ``sign_out_everywhere`` moves the user's generation on, which
every session of theirs recorded when it started, so all of them end at their next request (the store cannot list keys).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.base import KeyValueStore
from intake.org import sessions as listed

FLASH_TTL_S = 300.0


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user_id: int
    csrf: str


class Sessions:
    """``clock``: given, each session is also listed for admins (intake.org.sessions), its last-seen time
    kept within a minute; without one (a CLI, unit tests of the store) nothing is listed."""

    def __init__(self, kv: KeyValueStore, idle: timedelta, namespace: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._kv, self._idle, self._ns, self._clock = kv, idle.total_seconds(), namespace, clock

    async def start(self, user_id: int, user_agent: str = "") -> Session:
        session = Session(secrets.token_urlsafe(32), user_id, secrets.token_urlsafe(32))
        record = {"u": user_id, "csrf": session.csrf, "g": await self._generation(user_id)}
        if self._clock is not None:
            now = self._clock()
            record["s"] = now.timestamp()
            await listed.started(_digest(session.sid), self._ns, user_id, user_agent, now, self._idle_td)
        await self._kv.set(self._key(session.sid), json.dumps(record), self._idle)
        return session

    async def sign_out_everywhere(self, user_id: int) -> None:
        await self._kv.incr(self._user_key(user_id))
        if self._clock is not None:
            await listed.ended_for_user(user_id, self._ns, self._clock(), "everywhere")

    @property
    def _idle_td(self) -> timedelta:
        return timedelta(seconds=self._idle)

    async def _generation(self, user_id: int) -> int:
        return int(await self._kv.get(self._user_key(user_id)) or 0)

    async def load(self, sid: str) -> Session | None:
        if not sid or len(sid) > 64:
            return None
        raw = await self._kv.get(self._key(sid))
        if raw is None:
            return None
        data = json.loads(raw)
        if int(data.get("g", 0)) != await self._generation(int(data["u"])):
            await self.end(sid)  # signed out everywhere since this session began
            return None
        if self._clock is not None and (now := self._clock()).timestamp() - float(data.get("s", 0)) >= 60:
            data["s"] = now.timestamp()
            raw = json.dumps(data)
            await listed.seen(_digest(sid), now, self._idle_td)
        await self._kv.set(self._key(sid), raw, self._idle)  # sliding idle timeout
        return Session(sid, int(data["u"]), str(data["csrf"]))

    async def alive(self, sid: str) -> bool:
        """Whether the session still stands, without renewing its idle timeout (a page's live stream is not
        the user's activity): ended, revoked, idled out or signed out everywhere is ``False``."""
        raw = await self._kv.get(self._key(sid)) if sid and len(sid) <= 64 else None
        if raw is None:
            return False
        data = json.loads(raw)
        return int(data.get("g", 0)) == await self._generation(int(data["u"]))

    async def end(self, sid: str, why: str = "signed out") -> None:
        await self._kv.delete(self._key(sid))
        await self._kv.delete(self._key(sid, "flash"))
        if self._clock is not None:
            await listed.ended(_digest(sid), self._clock(), why)

    async def flash(self, sid: str, text: str, kind: str) -> None:
        await self._kv.set(self._key(sid, "flash"), json.dumps({"text": text, "kind": kind}), FLASH_TTL_S)

    async def peek_flash(self, sid: str) -> dict[str, str] | None:
        raw = await self._kv.get(self._key(sid, "flash"))
        return None if raw is None else {str(k): str(v) for k, v in json.loads(raw).items()}

    async def pop_flash(self, sid: str) -> dict[str, str] | None:
        raw = await self._kv.get(self._key(sid, "flash"))
        if raw is None:
            return None
        await self._kv.delete(self._key(sid, "flash"))
        return {str(k): str(v) for k, v in json.loads(raw).items()}

    def _key(self, sid: str, part: str = "session") -> str:
        return f"{self._ns}:{part}:{_digest(sid)}"  # the store adds its own prefix

    def _user_key(self, user_id: int) -> str:
        return f"{self._ns}:generation:{user_id}"


async def forget(kv: KeyValueStore, namespace: str, digest: str) -> None:
    """End the session stored under ``digest`` (an admin revoked it; the cookie is not known here)."""
    await kv.delete(f"{namespace}:session:{digest}")
    await kv.delete(f"{namespace}:flash:{digest}")


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def csrf_ok(session: Session, token: object) -> bool:
    """The form's token is the session's (compared in constant time)."""
    return isinstance(token, str) and hmac.compare_digest(token.encode(), session.csrf.encode())
