"""Periodic outbound work: task reminders at 50 % and 100 % of the time limit, and the daily digests.

Every message has a key made of what it is about (case, step, deadline, day), so
running a job twice, or in two processes, writes each message once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.states import Status
from intake.sla.calendar import to_shanghai
from intake.sla.light import state as sla_state
from intake.store.models import Case, Department
from intake.store.models_outbox import OutboxMessage
from notify.types import Notification, Recipient
from outbox.directory import Directory

log = logging.getLogger("gridline.outbound")
LOCK = "lock:outbound-jobs"
BATCH = 500
DIGEST_ITEMS = 50
REMIND_AT = (50, 100)
ASSIGNED = (str(Status.DISPATCHED), str(Status.HANDLING))
OPEN_WORK = (str(Status.REGISTERED), str(Status.DISPATCHED), str(Status.HANDLING), str(Status.HANDLED),
             str(Status.CHECKING), str(Status.RETURNED))


def job_body(ctx: CaseContext, digest_hour: int) -> Callable[[], Awaitable[None]]:
    """Reminders and digests as one background job (their keys make a second run write nothing)."""
    directory = Directory()

    async def run() -> None:
        await remind(ctx)
        await digests(ctx, directory, digest_hour)

    return run


async def remind(ctx: CaseContext) -> int:
    """Reminders for assigned work that has used half, then all, of its time; returns how many were new."""
    now, after, written = ctx.clock(), 0, 0
    while True:
        cases = await Case.filter(status__in=ASSIGNED, id__gt=after).order_by("id").limit(BATCH)
        notes = [n for case in cases for n in _reminders(ctx, case, now)]
        if notes:
            found = await OutboxMessage.filter(key__in=[n.key for n in notes]).values_list("key", flat=True)
            known = {str(k) for k in found}
            fresh = [n for n in notes if n.key not in known]
            await ctx.notifier.publish(fresh)
            written += len(fresh)
        if len(cases) < BATCH:
            return written
        after = cases[-1].id


def _reminders(ctx: CaseContext, case: Case, now: datetime) -> list[Notification]:
    fraction = sla_state(ctx.sla, case, now).fraction
    recipient = _handler(case)
    if recipient is None:
        return []
    payload = {"deadline": case.deadline_at.isoformat(), "grid": case.grid_code, "fraction": round(fraction, 2)}
    return [Notification("case.remind", recipient, f"{case.case_no}:remind:{pct}:{case.deadline_at.isoformat()}",
                         case.case_no, {**payload, "percent": pct}, now)
            for pct in REMIND_AT if fraction * 100 >= pct]


def _handler(case: Case) -> Recipient | None:
    if case.grid_code:
        return Recipient("grid_group", case.grid_code)
    if case.assignee_user_id is not None:
        return Recipient("worker", str(case.assignee_user_id))
    return Recipient("department", case.assignee_department) if case.assignee_department else None


async def digests(ctx: CaseContext, directory: Directory, digest_hour: int) -> int:
    """Once a local day, from ``digest_hour``: open tasks per grid group, open and escalated cases per department."""
    now = ctx.clock()
    local = to_shanghai(now)
    if local.hour < digest_hour:
        return 0
    day = f"{local:%Y-%m-%d}"
    if await OutboxMessage.filter(key__startswith=f"digest:{day}:").exists():
        return 0
    await directory.refresh(force=True)
    cases = await Case.filter(status__in=OPEN_WORK).order_by("deadline_at").limit(20_000)
    notes = _grid_digests(ctx, directory, cases, day, now) + await _department_digests(ctx, cases, day, now)
    await ctx.notifier.publish(notes)
    return len(notes)


def _grid_digests(ctx: CaseContext, directory: Directory, cases: list[Case], day: str,
                  now: datetime) -> list[Notification]:
    per_group: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if (found := directory.group_for(case.grid_code)) is not None:
            per_group[found[0]].append(case)
    return [Notification("digest.grid", Recipient("grid_group", code), f"digest:{day}:grid:{code}", None,
                         {"count": len(open_cases), "day": day, "items": _items(ctx, open_cases)}, now)
            for code, open_cases in sorted(per_group.items())]


async def _department_digests(ctx: CaseContext, cases: list[Case], day: str, now: datetime) -> list[Notification]:
    per_dept: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if case.assignee_department:
            per_dept[case.assignee_department].append(case)
    out = []
    for dept in await Department.filter(email__not_isnull=True).exclude(email="").order_by("code"):
        mine = per_dept.get(dept.code, [])
        if not mine:
            continue
        escalated = [c for c in mine if c.escalation_level >= 1]
        payload = {"name": dept.name, "count": len(mine), "escalated": len(escalated), "day": day,
                   "items": _items(ctx, escalated + [c for c in mine if c.escalation_level < 1])}
        out.append(Notification("digest.department", Recipient("department", dept.code),
                                f"digest:{day}:dept:{dept.code}", None, payload, now))
    return out


def _items(ctx: CaseContext, cases: list[Case]) -> list[dict[str, Any]]:
    def summary(case: Case) -> str:
        found = ctx.taxonomy.catalog.find(case.category_code) if case.category_code else None
        name = found.name("zh_CN") if found is not None else (case.category_code or "")
        return f"{name} · {to_shanghai(case.deadline_at):%m-%d %H:%M}" + (" ⚠" if case.escalation_level else "")
    return [{"case_no": c.case_no, "summary": summary(c)} for c in cases[:DIGEST_ITEMS]]
