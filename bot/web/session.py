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
from dataclasses import dataclass
from datetime import timedelta

from bot.storage.base import KeyValueStore

FLASH_TTL_S = 300.0


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user_id: int
    csrf: str


class Sessions:
    def __init__(self, kv: KeyValueStore, idle: timedelta, namespace: str) -> None:
        self._kv, self._idle, self._ns = kv, idle.total_seconds(), namespace

    async def start(self, user_id: int) -> Session:
        session = Session(secrets.token_urlsafe(32), user_id, secrets.token_urlsafe(32))
        record = {"u": user_id, "csrf": session.csrf, "g": await self._generation(user_id)}
        await self._kv.set(self._key(session.sid), json.dumps(record), self._idle)
        return session

    async def sign_out_everywhere(self, user_id: int) -> None:
        await self._kv.incr(self._user_key(user_id))

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
        await self._kv.set(self._key(sid), raw, self._idle)  # sliding idle timeout
        return Session(sid, int(data["u"]), str(data["csrf"]))

    async def end(self, sid: str) -> None:
        await self._kv.delete(self._key(sid))
        await self._kv.delete(self._key(sid, "flash"))

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
        return f"{self._ns}:{part}:{hashlib.sha256(sid.encode()).hexdigest()}"  # the store adds its own prefix

    def _user_key(self, user_id: int) -> str:
        return f"{self._ns}:generation:{user_id}"


def csrf_ok(session: Session, token: object) -> bool:
    """The form's token is the session's (compared in constant time)."""
    return isinstance(token, str) and hmac.compare_digest(token.encode(), session.csrf.encode())
