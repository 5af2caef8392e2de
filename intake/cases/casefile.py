"""What the console's case page shows around a case: likely duplicates, the reporter's other cases, every
message sent for it with its delivery, and whom it may be dispatched to (the category's line first).

Each list holds only what the actor may read (``scope``); personal data is the caller's to mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.cases import scope
from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.duplicates import DEFAULT_RADIUS_M, Probe, find
from intake.store.models import Case, Department
from intake.store.models_outbox import OutboxMessage

OTHER_CASES = 20
MESSAGES = 200


@dataclass(frozen=True, slots=True)
class Duplicate:
    case: Case
    similarity: float
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class Sent:
    kind: str
    to: str  # who, by kind ("resident", "worker 12", "department water")
    channel: str
    status: str
    attempts: int
    error: str | None
    at: datetime


async def duplicates(ctx: CaseContext, actor: Actor, case: Case) -> list[Duplicate]:
    """Open cases of the same category near this one with similar words, as intake's finder sees them."""
    if not case.category_code:
        return []
    code, index = case.grid_code, ctx.grid.index
    near = frozenset({code, *index.neighbours(code)}) if code and code in index else frozenset()
    found = ctx.taxonomy.catalog.find(case.category_code)
    radius = float(found.duplicate_radius_m or DEFAULT_RADIUS_M) if found else DEFAULT_RADIUS_M
    probe = Probe(case.category_code, case.description, near, case.lng, case.lat, radius)
    hits = [c for c in await find(probe, ctx.clock(), limit=6) if c.case_no != case.case_no]
    rows = {c.case_no: c for c in await Case.filter(case_no__in=[h.case_no for h in hits])}
    return [Duplicate(rows[h.case_no], h.similarity, h.distance_m) for h in hits
            if h.case_no in rows and scope.can_read(actor, rows[h.case_no])][:5]


async def reporter_cases(actor: Actor, case: Case) -> list[Case]:
    """The same reporter's other cases in the actor's view, newest first; none for an anonymous report."""
    if case.anonymous:
        return []
    query = Case.filter(scope.read_filter(actor), channel=case.channel, reporter=case.reporter, anonymous=False)
    return list(await query.exclude(case_no=case.case_no).order_by("-opened_at").limit(OTHER_CASES))


async def messages(actor: Actor, case: Case) -> list[Sent]:
    """Every message sent for the case, oldest first, with its delivery state (the outbox's own)."""
    rows = await OutboxMessage.filter(case_no=case.case_no).order_by("id").limit(MESSAGES)
    hide = case.anonymous and actor.role is not Role.ADMIN
    return [Sent(m.kind, _who(m, hide), m.channel, m.status, m.attempts, m.last_error, m.created_at) for m in rows]


def _who(message: OutboxMessage, hide: bool) -> str:
    if message.recipient_kind == "resident":
        return "resident" if hide else f"resident {message.recipient_ref}"
    return f"{message.recipient_kind} {message.recipient_ref}"


async def departments(ctx: CaseContext, case: Case) -> list[tuple[Department, bool]]:
    """Active departments for the case's area, ``(department, suggested)``: the category's line first."""
    chain = ctx.grid.ancestors(case.grid_code) if case.grid_code else []
    found = ctx.taxonomy.catalog.find(case.category_code) if case.category_code else None
    line = found.department if found else None
    rows = await Department.filter(active=True).order_by("code")
    near = [d for d in rows if not chain or d.region_code in chain]
    suggested = [d for d in near if d.line == line]
    best = min(suggested, key=lambda d: chain.index(d.region_code) if d.region_code in chain else 99) \
        if suggested else None
    ordered = ([best] if best else []) + [d for d in near if d is not best]
    return [(d, d is best) for d in ordered]
