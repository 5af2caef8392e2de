"""Working-day calendar for case SLA clocks (网格化管理 deadlines).

China's working week is Monday–Friday, but every year the State Council moves days
around: public holidays are off and some weekend days become adjusted working days
(调休上班). Those arrangements are data (``data/cn_holidays.yaml``), appended yearly.

Clock model (a product decision): the clock of a non-red case runs only during working
days, 24 hours per working day, on Asia/Shanghai calendar days. A yellow (24 h) case
opened Friday 15:00 is due Monday 15:00; one opened Saturday 10:00 starts counting at
Monday 00:00 and is due Tuesday 00:00. A deadline that uses up a working day exactly is
that day's midnight. Asia/Shanghai has had no DST since 1991, so a working day is always
24 real hours. Inputs must be timezone-aware; results keep the input's timezone.

Years missing from the data fall back to weekends-only (one warning per year), so a
stale file degrades deadlines slightly instead of stopping intake.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PATH = Path(__file__).with_name("data") / "cn_holidays.yaml"
_DAY = timedelta(days=1)
_log = logging.getLogger(__name__)


def to_shanghai(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; naive input is refused because its day would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timezone-aware datetime required, got naive {moment.isoformat()}")
    return moment.astimezone(SHANGHAI)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=SHANGHAI)


def _count_in(sorted_days: list[date], start: date, end: date) -> int:
    """How many of ``sorted_days`` fall in [start, end)."""
    return bisect_left(sorted_days, end) - bisect_left(sorted_days, start)


class WorkCalendar:
    """Mon–Fri working week corrected by official holidays and adjusted workdays."""

    def __init__(self, holidays: set[date], workdays: set[date], years: set[int]) -> None:
        clash = sorted(holidays & workdays)
        if clash:
            raise ValueError(f"dates both holiday and workday: {', '.join(map(str, clash))}")
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._years = frozenset(years)
        # Only exceptions to the Mon–Fri rule change a count, so counting needs just these.
        self._weekday_holidays = sorted(d for d in holidays if d.weekday() < 5)
        self._weekend_workdays = sorted(d for d in workdays if d.weekday() >= 5)
        self._cache: dict[date, bool] = {}
        self._warned: set[int] = set()

    @classmethod
    def load(cls, path: Path | None = None) -> WorkCalendar:
        source = path or DEFAULT_PATH
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        return cls(*_parse(raw, source))

    def covers(self, year: int) -> bool:
        return year in self._years

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):  # a datetime's day is its Shanghai day, not its own
            d = to_shanghai(d).date()
        cached = self._cache.get(d)
        if cached is None:
            cached = self._cache[d] = self._compute(d)
        return cached

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in [start, end), without walking the days (O(log n))."""
        if end <= start:
            return 0
        for year in range(start.year, (end - _DAY).year + 1):
            self._warn_if_uncovered(year)
        weeks, rest = divmod((end - start).days, 7)
        weekdays = weeks * 5 + sum((start.weekday() + i) % 7 < 5 for i in range(rest))
        return (
            weekdays
            + _count_in(self._weekend_workdays, start, end)
            - _count_in(self._weekday_holidays, start, end)
        )

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant at which ``hours`` counted hours have run from ``start``."""
        if hours < 0:
            raise ValueError(f"hours must be >= 0, got {hours}")
        cursor, remaining = to_shanghai(start), timedelta(hours=hours)
        # One iteration per calendar day spanned: a few for any realistic SLA limit.
        while True:
            day_end = _midnight(cursor.date() + _DAY)
            if self.is_working_day(cursor.date()):
                if remaining <= day_end - cursor:
                    return (cursor + remaining).astimezone(start.tzinfo)
                remaining -= day_end - cursor
            cursor = day_end

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Counted hours from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        if end < start:
            return -self.working_hours_between(end, start)
        a, b = to_shanghai(start), to_shanghai(end)
        span = _DAY * self.count_working_days(a.date(), b.date())
        span += self._into_day(b) - self._into_day(a)
        return span.total_seconds() / 3600

    def _into_day(self, local: datetime) -> timedelta:
        """Counted time since local midnight: none on a day off."""
        if not self.is_working_day(local.date()):
            return timedelta()
        return local - _midnight(local.date())

    def _compute(self, d: date) -> bool:
        if d in self._workdays:
            return True
        if d in self._holidays:
            return False
        self._warn_if_uncovered(d.year)
        return d.weekday() < 5

    def _warn_if_uncovered(self, year: int) -> None:
        if year not in self._years and year not in self._warned:
            self._warned.add(year)
            _log.warning(
                "no holiday data for %d: only weekends count as days off; "
                "append the State Council notice to cn_holidays.yaml",
                year,
            )


def _parse(raw: Any, source: Path) -> tuple[set[date], set[date], set[int]]:
    years = raw.get("years") if isinstance(raw, dict) else None
    if not isinstance(years, dict):
        raise ValueError(f"{source}: expected a top-level 'years:' mapping")
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year, entry in years.items():
        if not isinstance(year, int) or not isinstance(entry, dict):
            raise ValueError(f"{source}: year {year!r} must be an integer mapping to holidays/workdays")
        for block in entry.get("holidays") or []:
            first, last = _date(block, "from", year, source), _date(block, "to", year, source)
            if last < first:
                raise ValueError(f"{source}: holiday block {block!r} ends before it starts")
            holidays.update(first + _DAY * i for i in range((last - first).days + 1))
        for item in entry.get("workdays") or []:
            day = _date(item, "date", year, source)
            if day.weekday() < 5:
                raise ValueError(f"{source}: adjusted workday {day} is not a weekend day")
            workdays.add(day)
    return holidays, workdays, set(years)


def _date(item: Any, key: str, year: int, source: Path) -> date:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{source}: {year}: entry {item!r} needs a date in '{key}'")
    # A notice's New Year block may start in late December of the year before.
    if value.year not in (year - 1, year):
        raise ValueError(f"{source}: {year}: date {value} is filed under the wrong year")
    return value
