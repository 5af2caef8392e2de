"""Mini-program sessions: an opaque bearer token per login, stored as its SHA-256 with an expiry.

WeChat's ``session_key`` is kept encrypted (AES-GCM) and never leaves the
server. Token checks go through the key-value store first, so a request
costs no database query while its session is cached; the cached entry
carries the expiry and never outlives it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.auth import Unauthorized
from bot.mp.config import MpConfig
from bot.storage.base import KeyValueStore
from intake.cases.model import resident_ref
from intake.store.models import MpAccount, MpSession
from notify.wechat import Login

PREFIX = "mps_"
CHANNEL = "miniprogram"
CACHE_S = 300.0


@dataclass(frozen=True, slots=True)
class Resident:
    """The caller of a mini-program request: ``ref`` is how cases name them (``miniprogram:<openid>``)."""

    openid: str

    @property
    def ref(self) -> str:
        return resident_ref(CHANNEL, self.openid)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sealer:
    """AES-GCM with a key derived from the configured secret (a random one when none is set)."""

    def __init__(self, secret: str | None) -> None:
        material = secret.encode() if secret else secrets.token_bytes(32)
        self._aead = AESGCM(hashlib.sha256(b"gridline-mp-session-key:" + material).digest())

    def seal(self, plain: str) -> str:
        nonce = secrets.token_bytes(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain.encode(), None)).decode()

    def open(self, sealed: str) -> str:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()


class Sessions:
    def __init__(self, config: MpConfig, kv: KeyValueStore) -> None:
        self._ttl = timedelta(seconds=config.session_ttl_s)
        self._sealer = Sealer(config.session_secret)
        self._kv = kv

    async def start(self, login: Login, now: datetime) -> tuple[str, datetime]:
        token = PREFIX + secrets.token_urlsafe(32)
        expires = now + self._ttl
        await MpSession.create(token_hash=hash_token(token), openid=login.openid, created_at=now, expires_at=expires,
                               session_key_enc=self._sealer.seal(login.session_key))
        account, created = await MpAccount.get_or_create(openid=login.openid,
                                                         defaults={"unionid": login.unionid, "created_at": now})
        if not created and login.unionid and account.unionid != login.unionid:
            account.unionid = login.unionid
            await account.save(update_fields=["unionid"])
        return token, expires

    async def resident(self, request: web.Request, now: datetime) -> Resident:
        """The caller, from ``Authorization: Bearer mps_…``; 401 when missing, unknown or expired."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100 or not token.isascii():
            raise Unauthorized("missing or malformed bearer token")
        key = "mp:session:" + hash_token(token)
        cached = await self._kv.get(key)
        if cached is not None:
            openid, _, stamp = cached.rpartition("|")
            if float(stamp) > now.timestamp():
                return Resident(openid)
        row = await MpSession.get_or_none(token_hash=hash_token(token))
        if row is None or row.expires_at <= now:
            raise Unauthorized("invalid or expired session; log in again")
        left = (row.expires_at - now).total_seconds()
        await self._kv.set(key, f"{row.openid}|{row.expires_at.timestamp()}", ttl_seconds=min(CACHE_S, left))
        return Resident(row.openid)

    def session_key(self, row: MpSession) -> str:
        return self._sealer.open(row.session_key_enc)
