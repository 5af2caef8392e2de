"""Building the next link of a case's event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.audit import link_hash
from intake.cases.model import Actor
from intake.store.models import Case, CaseEvent


def next_event(case: Case, *, action: str, to_status: str, actor: Actor, at: datetime,
               note: str | None = None, attachments: tuple[str, ...] = (),
               data: dict[str, Any] | None = None, from_status: str | None = None) -> CaseEvent:
    """An unsaved event chained onto ``case``; also advances ``case.last_seq`` and ``case.last_hash``."""
    body: dict[str, Any] = {
        "case_no": case.case_no, "seq": case.last_seq + 1, "action": action,
        "from_status": from_status if from_status is not None else case.status,
        "to_status": to_status, "actor": actor.ref, "role": str(actor.role), "at": at,
        "note": note, "attachments": list(attachments), "data": data or {},
    }
    if action == "open":
        body["from_status"] = None
    digest = link_hash(case.last_hash, body)
    event = CaseEvent(**body, prev_hash=case.last_hash, hash=digest)
    case.last_seq, case.last_hash = body["seq"], digest
    return event
