"""Mobile numbers the reach router may text: residents who came without WeChat, staff without a WeCom group.

A resident who called the hotline is recorded by the desk on the channel ``phone`` or ``hotline`` with their
number as the reporter; one filed through Open311 left it in the submission's contact (kept for staff, never
published). A worker's number is on their user row. Only mainland mobile numbers are texted (E.164, ``+86``).
"""

from __future__ import annotations

import re

from intake.store.models import Case, Open311Submission, User

PHONE_CHANNELS = frozenset({"phone", "hotline"})
OPEN311 = "open311:"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
SEPARATORS = re.compile(r"[\s\-()]")


def e164(raw: object) -> str | None:
    """``+86`` and the 11 digits of a mainland mobile number, or None for anything else (a landline, junk)."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    digits = SEPARATORS.sub("", raw)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return f"+86{digits}" if MOBILE.match(digits) else None


def texts_residents(channel: str) -> bool:
    """Residents of this channel are reached by SMS (they have no WeChat account with us)."""
    return channel in PHONE_CHANNELS or channel.startswith(OPEN311)


async def resident_mobile(channel: str, reporter: str) -> str | None:
    if channel in PHONE_CHANNELS:
        return e164(reporter)
    if not channel.startswith(OPEN311):
        return None
    # The reporter's latest submission through this client that left a number (a co-reporter's own, too).
    cases = await Case.filter(channel=channel, reporter=reporter).order_by("-id").limit(20) \
        .values_list("case_no", flat=True)
    for sub in await Open311Submission.filter(case_no__in=list(cases)).order_by("-id"):
        if (number := e164(sub.contact.get("phone"))) is not None:
            return number
    return None


async def worker_mobile(user_id: str) -> str | None:
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = await User.get_or_none(id=int(user_id), active=True)
    return e164(user.phone) if user is not None else None
