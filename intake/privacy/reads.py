"""Who on the staff read which resident's personal data, and why (the PIPL access log).

Written where a staff member is shown a case's resident-facing content — the case's text, place, photos
or the reporter — by the admin API, the console and the worker pages alike; ``purpose`` says which
screen or call it was. Append-only: nothing in gridline updates or deletes these rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from intake.cases.model import Actor
from intake.store.models import PersonalDataRead

PURPOSE_MAX = 64
PAGE_MAX = 500


async def record(actor: Actor, case_no: str, purpose: str, fields: Iterable[str], at: datetime) -> None:
    await PersonalDataRead.create(at=at, user_id=actor.user_id, actor=actor.ref[:64], role=str(actor.role),
                                  case_no=case_no, purpose=purpose[:PURPOSE_MAX], fields_read=sorted(fields))


async def record_many(actor: Actor, case_nos: Iterable[str], purpose: str, fields: Iterable[str],
                      at: datetime) -> None:
    """One row per case of a list the actor was shown, in one statement."""
    names = sorted(fields)
    await PersonalDataRead.bulk_create([
        PersonalDataRead(at=at, user_id=actor.user_id, actor=actor.ref[:64], role=str(actor.role), case_no=no,
                         purpose=purpose[:PURPOSE_MAX], fields_read=names) for no in case_nos])


async def listing(case_no: str | None = None, user_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = PersonalDataRead.all()
    if case_no:
        query = query.filter(case_no=case_no)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    rows = await query.order_by("-id").limit(max(1, min(limit, PAGE_MAX)))
    return [{"at": r.at.isoformat(), "user_id": r.user_id, "actor": r.actor, "role": r.role, "case_no": r.case_no,
             "purpose": r.purpose, "fields": r.fields_read} for r in rows]
