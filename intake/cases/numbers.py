"""Case numbers: ``440307-20261121-00042-7``.

District division code, the local date, a daily serial and a check digit
(Luhn): unique, sorting by district then time, and a digit misheard over the
phone is caught instead of finding someone else's case.
"""

from __future__ import annotations

import re
from datetime import date

_PATTERN = re.compile(r"^(\d{6})-?(\d{8})-?(\d{5})-?(\d)$")


def luhn_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10


def format_case_no(district: str, day: date, serial: int) -> str:
    if len(district) != 6 or not district.isdigit():
        raise ValueError(f"district code must be 6 digits, got {district!r}")
    if not 0 < serial < 100_000:
        raise ValueError(f"daily serial out of range: {serial}")
    body = f"{district}{day:%Y%m%d}{serial:05d}"
    return f"{district}-{day:%Y%m%d}-{serial:05d}-{luhn_digit(body)}"


def parse_case_no(text: str) -> str | None:
    """The canonical form of a typed case number, or ``None`` when it is malformed or fails its check."""
    cleaned = re.sub(r"[\s－—_]", "-", text.strip())
    match = _PATTERN.match(cleaned.replace("--", "-"))
    if match is None:
        return None
    district, day, serial, check = match.groups()
    if luhn_digit(district + day + serial) != int(check):
        return None
    return f"{district}-{day}-{serial}-{check}"
