"""Small helpers shared by the admin views."""

from __future__ import annotations

from aiohttp import web

from intake.errors import Invalid
from intake.i18n import pick

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
