"""Small helpers shared by the admin views."""

from __future__ import annotations

from datetime import date, datetime, time

from aiohttp import web

from intake.errors import Invalid
from intake.i18n import pick
from intake.sla.calendar import SHANGHAI

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # keeps the row offset well inside a 64-bit integer


def lang(request: web.Request) -> str:
    return pick(request.query.get("lang") or request.headers.get("Accept-Language"))


def page(request: web.Request) -> tuple[int, int]:
    """``(page, per_page)`` from the query, 1-based, bounded."""
    try:
        number = int(request.query.get("page", "1"))
        size = int(request.query.get("per_page", "20"))
    except ValueError:
        raise Invalid("page and per_page must be whole numbers") from None
    if not 1 <= number <= MAX_PAGE or not 1 <= size <= MAX_PER_PAGE:
        raise Invalid(f"page must be within 1–{MAX_PAGE} and per_page within 1–{MAX_PER_PAGE}")
    return number, size


def flag(request: web.Request, name: str) -> bool | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no"):
        return False
    raise Invalid(f"{name} must be true or false")


def local_day(raw: str | None, name: str) -> datetime | None:
    """A ``YYYY-MM-DD`` query value as the start of that day in Asia/Shanghai; None when absent."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid(f"{name} must be a date like 2026-11-01")
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)
