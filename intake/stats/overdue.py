"""Overdue now" per group: :mod:`intake.sla.light`'s own rule, the one lists, cards and the sweep use.

The light reads the deadline on the severity's clock (working hours for most), so before a deadline that
falls after a weekend or holiday a case can already be overdue: SQL on wall-clock times would disagree.
Only open cases due before ``now + _QUIET`` can qualify, so this reads the few near their deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.scope import read_filter
from intake.cases.states import OPEN
from intake.sla.calendar import to_shanghai
from intake.sla.light import state
from intake.stats.query import CaseQuery, prefix
from intake.store.models import Case, CaseEvent


class Open(NamedTuple):
    """The columns the rule and the groups read (plain values: model objects cost more than the rule)."""

    case_no: str
    opened_at: datetime
    status: str
    suspended_at: datetime | None
    deadline_at: datetime
    limit_hours: float
    severity: str
    grid_code: str | None
    assignee_user_id: int | None
    assignee_department: str | None
    category_code: str | None


# Longest stretch without working hours (a holiday week): an open case due later cannot be overdue now.
_QUIET = timedelta(days=16)


async def overdue_now(ctx: CaseContext, actor: Actor, query: CaseQuery) -> dict[str | None, int]:
    """Open cases past their deadline by :func:`intake.sla.light.state`, per group. Only open cases due
    before ``now + _QUIET`` can qualify, so this reads the few near their deadline, not the table."""
    now = ctx.clock()
    # The open statuses named (not "not final"): the status index then finds the few open cases, where
    # "not closed" walked the deadline index through every closed case due in the past (a million here).
    found = Case.filter(read_filter(actor), deadline_at__lte=now + _QUIET, status__in=sorted(str(s) for s in OPEN))
    if query.reporter_prefix is not None:
        found = found.filter(reporter__startswith=prefix(query.reporter_prefix))
    if query.area is not None:
        found = found.filter(grid_code__startswith=prefix(query.area))
    late = [c for c in map(Open._make, await found.values_list(*Open._fields)) if state(ctx.sla, c, now).overdue]
    reported = dict(await CaseEvent.filter(case_no__in=[c.case_no for c in late], action="open")
                    .values_list("case_no", "at"))
    counts: dict[str | None, int] = {}
    for case in late:
        at = reported.get(case.case_no, case.opened_at)
        if (query.since is None or at >= query.since) and (query.until is None or at < query.until):
            k = key_of(query.by, case, at)
            counts[k] = counts.get(k, 0) + 1
    return counts


def key_of(by: str, case: Open, reported_at: datetime) -> str | None:
    """The group a case falls in, as the SQL computes it."""
    grid = case.grid_code
    value: Any = {"street": grid[:9] if grid else None, "community": grid[:12] if grid else None,
                  "grid": grid, "worker": case.assignee_user_id, "department": case.assignee_department,
                  "category": case.category_code, "month": to_shanghai(reported_at).strftime("%Y-%m")}[by]
    return None if value is None else str(value)
