"""WorkCalendar: official holiday data, clock arithmetic and YAML validation."""

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intake.sla.calendar import SHANGHAI, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_shipped_data_covers_2024_to_2026(cal: WorkCalendar) -> None:
    assert all(cal.covers(y) for y in (2024, 2025, 2026))
    assert not cal.covers(2023)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 4), True),  # plain Wednesday
        (date(2026, 3, 7), False),  # plain Saturday
        (date(2026, 3, 8), False),  # plain Sunday
        (date(2026, 2, 16), False),  # 春节, a Monday
        (date(2026, 10, 1), False),  # 国庆节, a Thursday
        (date(2026, 2, 14), True),  # Saturday, adjusted workday 调休
        (date(2026, 9, 20), True),  # Sunday, adjusted workday
        (date(2025, 10, 8), False),  # last day of the 2025 National Day block
        (date(2024, 2, 18), True),  # Sunday, adjusted workday
    ],
)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_friday_afternoon_rolls_over_the_weekend(cal: WorkCalendar) -> None:
    assert cal.add_working_hours(sh(2026, 3, 6, 15), 24) == sh(2026, 3, 9, 15)


def test_saturday_starts_counting_on_monday(cal: WorkCalendar) -> None:
    assert cal.add_working_hours(sh(2026, 3, 7, 10), 24) == sh(2026, 3, 10)
    assert cal.working_hours_between(sh(2026, 3, 7, 10), sh(2026, 3, 9)) == 0


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # Fri 14 h + Sat Feb 14 (adjusted workday) 10 h.
    assert cal.add_working_hours(sh(2026, 2, 13, 10), 24) == sh(2026, 2, 14, 10)
    # Thu 14 h + Fri 24 h + Sat 24 h = 62 h, Feb 15–23 off, Tue Feb 24 10 h.
    assert cal.add_working_hours(sh(2026, 2, 12, 10), 72) == sh(2026, 2, 24, 10)


def test_national_day_2026(cal: WorkCalendar) -> None:
    # Wed Sep 30 12 h, Oct 1–7 off, Thu Oct 8 12 h.
    assert cal.add_working_hours(sh(2026, 9, 30, 12), 24) == sh(2026, 10, 8, 12)
    # Fri Oct 9 + Sat Oct 10 (adjusted workday) + Mon Oct 12; Sun Oct 11 off.
    assert cal.add_working_hours(sh(2026, 10, 9), 72) == sh(2026, 10, 13)


def test_add_and_between_round_trip(cal: WorkCalendar) -> None:
    start = sh(2026, 2, 10, 7, 45)
    for hours in (0.5, 13.25, 24, 72, 500, 3000):
        end = cal.add_working_hours(start, hours)
        assert cal.working_hours_between(start, end) == pytest.approx(hours)
        assert cal.working_hours_between(end, start) == pytest.approx(-hours)


def test_count_working_days_matches_day_by_day(cal: WorkCalendar) -> None:
    start, end = date(2023, 12, 20), date(2027, 1, 10)
    naive = sum(cal.is_working_day(start + timedelta(i)) for i in range((end - start).days))
    assert cal.count_working_days(start, end) == naive


def test_utc_input_uses_the_shanghai_day(cal: WorkCalendar) -> None:
    friday_evening_utc = datetime(2025, 3, 7, 20, tzinfo=UTC)  # Sat 04:00 in Shanghai
    assert not cal.is_working_day(friday_evening_utc)
    due = cal.add_working_hours(friday_evening_utc, 24)
    assert due == sh(2025, 3, 11)
    assert due.tzinfo is UTC


def test_naive_datetime_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_hours(datetime(2026, 3, 6, 15), 24)


def test_unknown_year_warns_once_and_uses_weekends(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = WorkCalendar(holidays=set(), workdays=set(), years={2026})
    with caplog.at_level(logging.WARNING, logger="intake.sla.calendar"):
        assert fresh.is_working_day(date(2030, 1, 1))  # a Tuesday; no holiday data
        assert not fresh.is_working_day(date(2030, 1, 5))  # Saturday
        fresh.add_working_hours(datetime(2030, 2, 1, tzinfo=SHANGHAI), 100)
    assert [r.getMessage().count("2030") for r in caplog.records] == [1]


def test_holiday_and_workday_clash_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "years:\n  2026:\n"
        "    holidays: [{name: 春节, from: 2026-02-13, to: 2026-02-15}]\n"
        "    workdays: [{name: 春节, date: 2026-02-14}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="2026-02-14"):
        WorkCalendar.load(path)


@pytest.mark.parametrize(
    "body",
    [
        "holidays: []",  # no years mapping
        "years:\n  2026:\n    holidays: [{name: x, from: 2026-03-02}]\n",  # missing 'to'
        "years:\n  2026:\n    holidays: [{name: x, from: 2026-03-05, to: 2026-03-02}]\n",
        "years:\n  2026:\n    workdays: [{name: x, date: 2026-03-04}]\n",  # a Wednesday
        "years:\n  2026:\n    workdays: [{name: x, date: 2024-02-04}]\n",  # wrong year
    ],
)
def test_malformed_yaml_is_rejected(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError):
        WorkCalendar.load(path)
