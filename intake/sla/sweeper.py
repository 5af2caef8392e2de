"""督办: find cases past their (current) deadline, record supervision, escalate at 3× the limit.

Levels come from :mod:`intake.sla.light` (measured from the deadline after extensions and suspensions)
and rise one at a time, so every escalation is preceded by its 督办.

Runs periodically from the app (one process at a time holds the sweep lock).
Idempotent: a case is only touched when its escalation level rises.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from intake.cases import notices, repo
from intake.cases.context import CaseContext
from intake.cases.events import next_event
from intake.cases.model import SYSTEM
from intake.cases.states import OPEN, Status
from intake.errors import Conflict
from intake.sla.light import next_level
from intake.sla.light import state as sla_state
from intake.store.models import Case, Supervision

BATCH = 500


@dataclass(frozen=True, slots=True)
class SweepResult:
    examined: int
    supervised: int
    escalated: int


async def sweep(ctx: CaseContext) -> SweepResult:
    now = ctx.clock()
    live = [str(s) for s in OPEN if s is not Status.SUSPENDED]
    rows = await Case.filter(status__in=live, deadline_at__lt=now).order_by("deadline_at").limit(BATCH)
    supervised = escalated = 0
    for case in rows:
        fraction = sla_state(ctx.sla, case, now).fraction
        level = next_level(ctx.sla, case, now)
        if level <= case.escalation_level:
            continue
        try:
            await _raise_level(ctx, case, level, round(fraction, 2))
        except Conflict:
            continue  # someone acted on it meanwhile; the next sweep looks again
        supervised += 1
        escalated += level >= 2
    return SweepResult(len(rows), supervised, escalated)


async def _raise_level(ctx: CaseContext, case: Case, level: int, fraction: float) -> None:
    now, expected = ctx.clock(), case.last_seq
    region = _region_above(ctx, case.grid_code, level)
    action = "supervise" if level == 1 else "escalate"
    case.escalation_level, case.updated_at = level, now
    event = next_event(case, action=action, to_status=case.status, actor=SYSTEM, at=now,
                       data={"level": level, "elapsed": fraction, "region": region})
    async with in_transaction():  # the supervision and its messages commit together
        await repo.save_step(case, expected, [event])
        await Supervision.get_or_create(case_no=case.case_no, level=level, deadline_at=case.deadline_at,
                                        defaults={"created_at": now, "target_region": region,
                                                  "reason": f"{fraction:.2f}× the time limit"})
        await ctx.notifier.publish(notices.overdue(case, level, region))


def _region_above(ctx: CaseContext, grid_code: str | None, level: int) -> str | None:
    """Level 1 stays with the community; each level above climbs one region (community → street → district)."""
    if grid_code is None or grid_code not in ctx.grid.index:
        return None
    chain = [c.code for c in ctx.grid.index.chain(grid_code)][:3]  # district, street, community
    return chain[max(0, len(chain) - level)]
