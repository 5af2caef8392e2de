"""The staff sign-in audit: every console sign-in, failure, lock-out, sign-out and password set, in a table.

The JSON log is for operators and rotates; this table is what an auditor reads back (``recent``).
The password is never an argument here.
"""

from __future__ import annotations

from datetime import datetime

from intake.store.models_console import StaffAudit

EVENTS = frozenset({"sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "password_set"})


async def record(event: str, at: datetime, *, account: str, user_id: int | None, actor: str, ip: str,
                 detail: str = "") -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    await StaffAudit.create(event=event, at=at, account=account[:20], user_id=user_id, actor=actor[:128],
                            ip=ip[:64], detail=detail[:200])


async def recent(limit: int = 100, user_id: int | None = None) -> list[StaffAudit]:
    query = StaffAudit.all() if user_id is None else StaffAudit.filter(user_id=user_id)
    return list(await query.order_by("-id").limit(limit))
