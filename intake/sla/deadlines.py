"""SLA deadlines, traffic lights and escalation levels for grid cases.

Time limits come by severity: red 2 h, yellow 24 h, blue 72 h unless the case's category
says otherwise (``DEFAULT_LIMIT_HOURS``; callers pass the effective limit). Red counts
wall-clock time, because an emergency does not wait for Monday; yellow and blue count
on the :class:`~intake.sla.calendar.WorkCalendar` (24 h per working day, Asia/Shanghai
days; see that module for the clock model).

Traffic light: green while less than 50 % of the limit has elapsed, yellow from 50 %
until the deadline, red from the deadline on (exactly 100 % is already overdue).

Escalation level by elapsed fraction of the limit (``SlaPolicy.escalation_thresholds``):
  * below 1.0 -> 0: no action;
  * from 1.0  -> 1: overdue, 督办 (supervision) at the handling level;
  * from 3.0  -> 2: escalate to the level above;
  * from 6.0  -> 3: escalate two levels above.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum, StrEnum

from intake.sla.calendar import WorkCalendar, to_shanghai

DEFAULT_LIMIT_HOURS: dict[str, float] = {"red": 2.0, "yellow": 24.0, "blue": 72.0}
_SEVERITIES = frozenset(DEFAULT_LIMIT_HOURS)


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def _wall_clock(severity: str) -> bool:
    """Whether ``severity`` (a string or a str-valued enum member) counts wall-clock time."""
    value = severity.value if isinstance(severity, Enum) else severity
    if value not in _SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; expected one of {sorted(_SEVERITIES)}")
    return bool(value == "red")


def _positive(limit_hours: float) -> float:
    if not limit_hours > 0:
        raise ValueError(f"limit_hours must be > 0, got {limit_hours}")
    return limit_hours


@dataclass(frozen=True)
class SlaPolicy:
    calendar: WorkCalendar
    escalation_thresholds: tuple[float, ...] = (1.0, 3.0, 6.0)

    def __post_init__(self) -> None:
        if list(self.escalation_thresholds) != sorted(self.escalation_thresholds):
            raise ValueError("escalation_thresholds must be ascending")

    def deadline(self, opened_at: datetime, limit_hours: float, severity: str) -> datetime:
        return self._add(opened_at, _positive(limit_hours), severity)

    def extend(self, deadline: datetime, extra_hours: float, severity: str) -> datetime:
        """New deadline after an approved extension (延期), on the severity's clock."""
        return self._add(deadline, extra_hours, severity)

    def elapsed_fraction(
        self, opened_at: datetime, now: datetime, limit_hours: float, severity: str
    ) -> float:
        """Share of the limit used up (1.0 = at the deadline); 0.0 before ``opened_at``."""
        if _wall_clock(severity):
            # Timestamps, not datetime subtraction: same-tzinfo subtraction ignores DST.
            hours = (to_shanghai(now).timestamp() - to_shanghai(opened_at).timestamp()) / 3600
        else:
            hours = self.calendar.working_hours_between(opened_at, now)
        return max(0.0, hours / _positive(limit_hours))

    def light(self, opened_at: datetime, now: datetime, limit_hours: float, severity: str) -> Light:
        fraction = self.elapsed_fraction(opened_at, now, limit_hours, severity)
        if fraction < 0.5:
            return Light.GREEN
        return Light.YELLOW if fraction < 1.0 else Light.RED

    def escalation_level(self, fraction: float) -> int:
        """0 = none, 1 = 督办 at the handling level, n = escalate n-1 levels above."""
        return bisect_right(self.escalation_thresholds, fraction)

    def _add(self, start: datetime, hours: float, severity: str) -> datetime:
        if not _wall_clock(severity):
            return self.calendar.add_working_hours(start, hours)
        if hours < 0:
            raise ValueError(f"hours must be >= 0, got {hours}")
        # Add in UTC so a caller's DST zone cannot shift a wall-clock limit by an hour.
        utc = to_shanghai(start).astimezone(UTC) + timedelta(hours=hours)
        return utc.astimezone(start.tzinfo)
