"""What a resident sees of a case: their own report in full, a seconded one in its public view.

No worker names, ids or phone numbers, and no staff-only notes: the timeline
shows which step happened and when, and a note only where it is addressed to
the resident (why a report was rejected, the closing summary).
"""

from __future__ import annotations

from datetime import datetime

from bot.mp.replies import By, Duplicate, Ref, ReportView, Step
from bot.mp.session import CHANNEL, Resident
from bot.views.serialize import category_ref, grid_ref
from intake.cases import visibility
from intake.cases.context import CaseContext
from intake.cases.states import Role, Status, allowed_actions
from intake.duplicates import Candidate
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, CaseEvent

MEDIA_PREFIX = "mp-media:"
PUBLIC_STEPS = frozenset({"open", "verify", "register", "reject", "dispatch", "accept", "return", "handle", "check",
                          "close", "withdraw", "reopen", "merge", "second", "suspend", "resume",
                          "void", "resident_urge", "supplement"})
PUBLIC_NOTES = frozenset({"reject", "close", "withdraw", "reopen", "void"})


def ref(value: dict[str, str] | None) -> Ref | None:
    return Ref(**value) if value else None


def stamp(moment: datetime) -> str:
    """Local (Asia/Shanghai) ISO 8601 with its offset: what the resident's phone shows."""
    return to_shanghai(moment).isoformat()


def view(ctx: CaseContext, case: Case, who: Resident, lang: str, events: list[CaseEvent] | None = None,
         rated: int | None = None) -> ReportView:
    own = visibility.is_own(case, CHANNEL, who.openid)
    status = Status(case.status)
    base = ReportView(
        case_no=case.case_no, relation="own" if own else "seconded", status=case.status,
        category=ref(category_ref(ctx, case.category_code, lang)), grid=ref(grid_ref(ctx, case.grid_code)),
        opened_at=stamp(case.opened_at), deadline=stamp(case.deadline_at),
        closed_at=stamp(case.closed_at) if case.closed_at else None,
        timeline=[_step(e, who, own) for e in events or () if e.action in PUBLIC_STEPS],
    )
    if not own:
        return base
    base.description, base.address, base.anonymous = case.description, case.address, case.anonymous
    base.location = {"lat": case.lat, "lng": case.lng} if case.lat is not None and case.lng is not None else None
    base.media = [p[len(MEDIA_PREFIX):] for p in case.photos if p.startswith(MEDIA_PREFIX)]
    base.can_withdraw = "withdraw" in allowed_actions(status, Role.RESIDENT)
    base.rating = rated
    base.can_rate = status is Status.CLOSED and rated is None
    return base


def _step(e: CaseEvent, who: Resident, own: bool) -> Step:
    by: By = "you" if e.actor == who.ref else "resident" if e.role == "resident" else \
        "system" if e.role == "system" else "staff"
    note = e.note if own and e.action in PUBLIC_NOTES else None
    return Step(action=e.action, status=e.to_status, at=stamp(e.at), by=by, note=note)


def duplicate(ctx: CaseContext, c: Candidate, lang: str, category: str | None) -> Duplicate:
    return Duplicate(case_no=c.case_no, status=c.status, category=ref(category_ref(ctx, category, lang)),
                     distance_m=c.distance_m, similarity=c.similarity)
