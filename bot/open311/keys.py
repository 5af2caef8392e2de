"""Open311 API keys, one per client system: random, shown once, stored as SHA-256.

A request filed with a key records its system as the case's channel, ``open311:<name>``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from bot.open311.scopes import check_channels
from intake.store import db
from intake.store.models import ApiClient

PREFIX = "o311_"
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,23}$")  # "open311:" + name fits the 32-character channel column


class ApiKeyError(ValueError):
    """A bad or duplicate client name; the message says which."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_client(name: str, *, private: bool = False, channels: Sequence[str] | None = None) -> str:
    """Register ``name`` on the open database; returns the key (only its hash is kept).

    ``private`` lets it read residents' text and exact places; ``channels`` limits the cases it reads
    (see :mod:`bot.open311.scopes`).
    """
    if not NAME.match(name):
        raise ApiKeyError("a client name is 1–24 characters: a-z, 0-9, '.', '_', '-', starting with a letter or digit")
    try:
        kept = check_channels(channels) if channels is not None else None
    except ValueError as exc:
        raise ApiKeyError(str(exc)) from None
    key = PREFIX + secrets.token_urlsafe(32)
    try:
        await ApiClient.create(name=name, key_hash=hash_key(key), created_at=datetime.now(UTC), private=private,
                               channels=kept)
    except IntegrityError:
        raise ApiKeyError(f"a client named {name!r} exists already") from None
    return key


async def apikey_add(settings_url: str, name: str, private: bool = False, channels: Sequence[str] | None = None) -> str:
    """``gridline apikey add --name NAME [--scope private] [--channels a,b]``: migrate, create, print the key once."""
    await db.migrate(settings_url)
    await db.open_db(settings_url)
    try:
        key = await create_client(name, private=private, channels=channels)
    finally:
        await db.close_db()
    reads = "private (residents' text and exact places)" if private else "public (category, status, rounded place)"
    print(f"Open311 client {name!r} created, reads {reads} of {', '.join(channels) if channels else 'every channel'}."
          f" API key — shown once, store it now:\n{key}")
    return key


async def client_for(key: str | None) -> ApiClient | None:
    """The active client holding ``key``, else ``None``."""
    if not key or not key.startswith(PREFIX) or len(key) > 100 or not key.isascii():
        return None
    return await ApiClient.get_or_none(key_hash=hash_key(key), active=True)
