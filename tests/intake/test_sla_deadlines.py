"""SlaPolicy: deadlines per severity, traffic lights, escalation and extensions."""

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from intake.sla.calendar import SHANGHAI, WorkCalendar
from intake.sla.deadlines import Light, SlaPolicy


class Severity(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"


@pytest.fixture(scope="module")
def policy() -> SlaPolicy:
    return SlaPolicy(WorkCalendar.load())


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_yellow_friday_is_due_monday(policy: SlaPolicy) -> None:
    assert policy.deadline(sh(2026, 3, 6, 15), 24, "yellow") == sh(2026, 3, 9, 15)


def test_yellow_saturday_is_due_tuesday_midnight(policy: SlaPolicy) -> None:
    assert policy.deadline(sh(2026, 3, 7, 10), 24, Severity.YELLOW) == sh(2026, 3, 10)


def test_blue_across_spring_festival(policy: SlaPolicy) -> None:
    assert policy.deadline(sh(2026, 2, 12, 10), 72, "blue") == sh(2026, 2, 24, 10)


def test_red_ignores_the_calendar(policy: SlaPolicy) -> None:
    opened = sh(2026, 2, 17, 23)  # inside the Spring Festival, late evening
    assert policy.deadline(opened, 2, "red") == sh(2026, 2, 18, 1)
    assert policy.elapsed_fraction(opened, sh(2026, 2, 18, 0), 2, Severity.RED) == 0.5


def test_unknown_severity_is_refused(policy: SlaPolicy) -> None:
    with pytest.raises(ValueError, match="purple"):
        policy.deadline(sh(2026, 3, 6), 24, "purple")


def test_non_positive_limit_is_refused(policy: SlaPolicy) -> None:
    with pytest.raises(ValueError, match="limit_hours"):
        policy.deadline(sh(2026, 3, 6), 0, "blue")


@pytest.mark.parametrize(
    ("percent", "light"),
    [(0, Light.GREEN), (49, Light.GREEN), (50, Light.YELLOW), (99, Light.YELLOW), (100, Light.RED)],
)
@pytest.mark.parametrize("severity", ["red", "yellow", "blue"])
def test_lights(policy: SlaPolicy, severity: str, percent: int, light: Light) -> None:
    opened, limit = sh(2026, 2, 13, 10), 24.0  # yellow/blue clocks run through Feb 14 and 24
    now = policy.deadline(opened, limit * percent / 100, severity) if percent else opened
    assert policy.light(opened, now, limit, severity) is light


def test_light_red_after_holiday_deadline(policy: SlaPolicy) -> None:
    opened = sh(2026, 9, 30, 12)
    assert policy.light(opened, sh(2026, 10, 7, 23), 24, "yellow") is Light.YELLOW  # holidays pause it
    assert policy.light(opened, sh(2026, 10, 8, 12), 24, "yellow") is Light.RED


def test_elapsed_fraction_is_zero_before_opening(policy: SlaPolicy) -> None:
    assert policy.elapsed_fraction(sh(2026, 3, 6), sh(2026, 3, 5), 24, "blue") == 0.0


@pytest.mark.parametrize(
    ("fraction", "level"),
    [(0.0, 0), (0.99, 0), (1.0, 1), (2.99, 1), (3.0, 2), (5.9, 2), (6.0, 3), (50.0, 3)],
)
def test_escalation_levels(policy: SlaPolicy, fraction: float, level: int) -> None:
    assert policy.escalation_level(fraction) == level


def test_escalation_after_three_limits(policy: SlaPolicy) -> None:
    opened = sh(2026, 3, 2, 9)  # Monday
    fraction = policy.elapsed_fraction(opened, sh(2026, 3, 5, 9), 24, "yellow")
    assert fraction == 3.0
    assert policy.escalation_level(fraction) == 2


def test_escalation_thresholds_must_ascend() -> None:
    with pytest.raises(ValueError, match="ascending"):
        SlaPolicy(WorkCalendar.load(), escalation_thresholds=(3.0, 1.0))


def test_extend(policy: SlaPolicy) -> None:
    # A yellow deadline at Friday 15:00 extended by 24 h lands on Monday 15:00.
    assert policy.extend(sh(2026, 3, 6, 15), 24, "yellow") == sh(2026, 3, 9, 15)
    assert policy.extend(sh(2026, 3, 6, 15), 24, "red") == sh(2026, 3, 7, 15)


def test_utc_input_keeps_its_timezone(policy: SlaPolicy) -> None:
    opened = datetime(2026, 3, 6, 7, tzinfo=UTC)  # Friday 15:00 in Shanghai
    due = policy.deadline(opened, 24, "yellow")
    assert due == sh(2026, 3, 9, 15)
    assert due.tzinfo is UTC
    assert policy.deadline(opened, 2, "red") == datetime(2026, 3, 6, 9, tzinfo=UTC)
