"""One-time sign-in codes: a dispatcher or admin issues one (``gridline worker code --user ID``) for a staff
user's first sign-in on a new phone, outside WeCom and without a task card.

Eight digits, typed on the phone; valid for :data:`TTL` and for one sign-in, stored only as a SHA-256. A
new code replaces the user's unused ones. Guessing is bounded by the page's rate limit on tries.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from intake.errors import NotFound
from intake.store.models import LoginCode, User

DIGITS = 8
TTL = timedelta(minutes=15)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise(typed: str) -> str | None:
    """The code as typed (spaces and dashes allowed), or ``None`` when it cannot be one."""
    digits = "".join(ch for ch in typed if ch not in " -")
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


async def issue(user_id: int, now: datetime, ttl: timedelta = TTL) -> str:
    if not await User.exists(id=user_id, active=True):
        raise NotFound(f"no active user {user_id}")
    await LoginCode.filter(user_id=user_id, used_at=None).delete()
    code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
    await LoginCode.create(code_hash=_hash(code), user_id=user_id, created_at=now, expires_at=now + ttl)
    return code


async def redeem(typed: str, now: datetime) -> User | None:
    """The active user the code was issued to, once (a conditional update: two phones cannot both win)."""
    code = normalise(typed)
    if code is None:
        return None
    digest = _hash(code)
    if not await LoginCode.filter(code_hash=digest, used_at=None, expires_at__gt=now).update(used_at=now):
        return None
    row = await LoginCode.get(code_hash=digest)
    return await User.get_or_none(id=row.user_id, active=True)
