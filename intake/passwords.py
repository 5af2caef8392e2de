"""Staff passwords for the console: set and checked here, stored only as argon2id hashes.

The hasher's defaults are argon2-cffi's (RFC 9106 low-memory profile); a hash made with older
parameters is replaced at the next good sign-in. Checking runs the hash in a thread: it takes
tens of milliseconds of CPU by design and must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from intake import staff_audit
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden, Invalid, NotFound
from intake.store.models import User
from intake.store.models_console import StaffPassword

MIN_LEN, MAX_LEN = 10, 256  # a long limit still bounds the hashing work a request can cause
_hasher = PasswordHasher()  # argon2id


# Checked against when the user has no password, so the answer takes as long as for one who has:
# the time does not tell which user ids exist. Hashed on first use (at import it cost every process
# start ~0.25 s of CPU); only a process's first such answer takes longer, by one hash.
@functools.cache
def _dummy() -> str:
    return _hasher.hash("no password is set for this user")


def check_strength(password: str) -> None:
    if not MIN_LEN <= len(password) <= MAX_LEN:
        raise Invalid(f"a password has {MIN_LEN} to {MAX_LEN} characters")
    if password.strip() != password or not password.isprintable():
        raise Invalid("a password has no leading or trailing spaces and no control characters")


async def set_password(user_id: int, password: str, now: datetime) -> None:
    check_strength(password)
    if not await User.exists(id=user_id):
        raise NotFound(f"no user {user_id}")
    digest = await asyncio.to_thread(_hasher.hash, password)
    await StaffPassword.update_or_create(defaults={"hash": digest, "changed_at": now}, user_id=user_id)


async def reset(admin: Actor, user_id: int, password: str, now: datetime, ip: str = "-") -> None:
    """An admin sets a staff member's password (a forgotten one); written to the sign-in audit."""
    if admin.role is not Role.ADMIN:
        raise Forbidden("only an admin sets another user's password")
    user = await User.get_or_none(id=user_id, active=True)
    if user is None or user.role == "resident":
        raise NotFound(f"no active staff user {user_id}")
    await set_password(user_id, password, now)
    await staff_audit.record("password_set", now, account=str(user_id), user_id=user_id, actor=admin.ref, ip=ip)


async def verify(user_id: int, password: str, now: datetime) -> bool:
    """Whether ``password`` is the user's; ``False`` for a user without one (or an over-long try)."""
    row = await StaffPassword.get_or_none(user_id=user_id)
    if len(password) > MAX_LEN:
        return False
    if row is None:
        await asyncio.to_thread(_check, _dummy(), password)
        return False
    try:
        await asyncio.to_thread(_hasher.verify, row.hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(row.hash):
        row.hash, row.changed_at = await asyncio.to_thread(_hasher.hash, password), now
        await row.save(update_fields=["hash", "changed_at"])
    return True


def _check(digest: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(digest, password))
    except VerificationError:
        return False
