"""A case's SLA state — traffic light, share of the limit used, escalation level — from its *current*
deadline. The one place lists, cards, reminders and the sweep read it from.

The deadline moves: an approved 延期 pushes it out, a 挂起 adds the time spent suspended. Measuring from
``opened_at`` ignored both (a case extended by two days showed red while not overdue, and the sweep
jumped straight to level 2 when the new deadline passed). Here the share used is read back from the
deadline: ``1 - remaining / limit`` before it, ``1 + overrun / limit`` after it, both on the severity's
clock (wall clock for red, working hours otherwise). For a case whose deadline never moved this equals
the time elapsed since opening over the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from intake.cases.states import Status
from intake.sla.calendar import to_shanghai
from intake.sla.deadlines import Light, SlaPolicy
from intake.store.models import Case


class Clocked(Protocol):
    """What the rule reads of a case: a :class:`Case`, or a row of just these columns (the export's)."""

    @property
    def status(self) -> str: ...
    @property
    def suspended_at(self) -> datetime | None: ...
    @property
    def deadline_at(self) -> datetime: ...
    @property
    def limit_hours(self) -> float: ...
    @property
    def severity(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SlaState:
    light: Light | None  # None once the case is final
    fraction: float  # share of the limit used: 1.0 at the deadline
    level: int  # the escalation level the fraction calls for (0 none, 1 督办, 2+ above)

    @property
    def overdue(self) -> bool:
        return self.fraction >= 1.0


def hours_between(policy: SlaPolicy, start: datetime, end: datetime, severity: str) -> float:
    """Hours from ``start`` to ``end`` (negative when ``end`` is earlier) on the severity's clock."""
    if start > end:
        return -hours_between(policy, end, start, severity)
    if str(severity) == "red":
        return (to_shanghai(end).timestamp() - to_shanghai(start).timestamp()) / 3600
    return policy.calendar.working_hours_between(start, end)


def fraction_used(policy: SlaPolicy, deadline: datetime, now: datetime, limit_hours: float, severity: str) -> float:
    used = 1.0 - hours_between(policy, now, deadline, severity) / limit_hours
    return max(0.0, used)


def state(policy: SlaPolicy, case: Clocked, now: datetime) -> SlaState:
    status = Status(case.status)
    # A suspended case's clock stands still where it stopped (resume moves the deadline by the pause).
    at = case.suspended_at if status is Status.SUSPENDED and case.suspended_at is not None else now
    used = fraction_used(policy, case.deadline_at, at, case.limit_hours, case.severity)
    light = None if status.is_final else Light.GREEN if used < 0.5 else Light.YELLOW if used < 1.0 else Light.RED
    return SlaState(light, used, policy.escalation_level(used))


def light(policy: SlaPolicy, case: Clocked, now: datetime) -> Light | None:
    """:func:`state`'s light alone: a final case has none, so its clock is not read (an export of a
    district's closed cases would spend most of its time there)."""
    return None if Status(case.status).is_final else state(policy, case, now).light


def next_level(policy: SlaPolicy, case: Case, now: datetime) -> int:
    """The level the sweep raises the case to now: one step above its current level at most, so 督办
    (level 1) is never skipped even when a case is found far past its deadline."""
    wanted = state(policy, case, now).level
    return min(wanted, case.escalation_level + 1)
