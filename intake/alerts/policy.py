"""When alert messages may go out (quiet hours) and how long recent bindings count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from intake.errors import Invalid


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A nightly window (local time) in which non-red alerts wait; ``start == end`` means none."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str = "Asia/Shanghai") -> QuietHours:
        """``"22:00-07:00"``; an empty string means no quiet hours."""
        if not spec.strip():
            return cls(time(0), time(0), ZoneInfo(tz))
        try:
            a, b = spec.replace("–", "-").split("-")
            return cls(time.fromisoformat(a.strip()), time.fromisoformat(b.strip()), ZoneInfo(tz))
        except ValueError:
            raise Invalid(f"quiet hours {spec[:20]!r} must look like 22:00-07:00") from None

    def release(self, now: datetime) -> datetime | None:
        """The end of the quiet window ``now`` falls in, or None when ``now`` is outside it."""
        if self.start == self.end:
            return None
        local = now.astimezone(self.tz)
        t = local.time()
        inside = (self.start <= t or t < self.end) if self.start > self.end else (self.start <= t < self.end)
        if not inside:
            return None
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    quiet: QuietHours
    recent_report_days: float = 30.0  # a resident's reports this recent bind them to the report's cell
    location_max_age_h: float = 72.0  # a last location this recent (and allowed) binds them to its cell
    ack_escalate_minutes: float = 60.0  # a targeted cell with no worker acknowledgement after this is escalated
    # Where Test / Exercise alerts go: the WeCom group (or mail) of this grid or region code; "" = each
    # targeted street's own (staff only, never a resident).
    test_group: str = ""
