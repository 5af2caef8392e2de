"""Times as a resident reads them: "3 小时前", "12月9日（周三）中午前", through Babel and gettext.

"12-09 00:15" is a database's time, not a promise a resident understands. A deadline is rounded
*up* to a part of the day (noon, six in the evening, the end of the day), so what we promise is
never earlier than the internal deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from babel.dates import format_date, format_skeleton, format_timedelta

from intake.sla.calendar import to_shanghai

BABEL = {"zh_CN": "zh_Hans_CN", "zh_HK": "zh_Hant_HK", "en": "en"}
NOON, EVENING = time(12, 0), time(18, 0)


def ago(lang: str, moment: datetime, now: datetime) -> str:
    """ "3 小时前" / "3 hours ago" (at least a minute, so "just now" never reads as "0 秒前")."""
    seconds = max(int((now - moment).total_seconds()), 60)
    return format_timedelta(-seconds, locale=BABEL.get(lang, "zh_Hans_CN"), add_direction=True)


def deadline(lang: str, moment: datetime, gettext: Callable[[str], str]) -> str:
    """ "12月9日（周三）中午前" / "by noon on Wed, Dec 9": the day, and the part of it the deadline falls in."""
    local = to_shanghai(moment)
    locale = BABEL.get(lang, "zh_Hans_CN")
    day = gettext("{weekday}, {month_day}").format(
        weekday=format_date(local.date(), "EEE", locale=locale),
        month_day=format_skeleton("MMMd", local, locale=locale))
    clock = local.time()
    if clock <= NOON:
        return gettext("by noon on {day}").format(day=day)
    if clock <= EVENING:
        return gettext("by 6 pm on {day}").format(day=day)
    return gettext("by the end of {day}").format(day=day)
