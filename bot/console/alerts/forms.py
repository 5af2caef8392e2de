"""What the alert pages share: the admin check, form fields into the API's request models, errors in words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from pydantic import ValidationError

from bot.console.auth import ME
from bot.jsonout import json_response
from bot.web.auth import Me
from bot.web.render import error_page, gettext
from intake.errors import DomainError

BEIJING = timezone(timedelta(hours=8))  # the district's clock, as the replay report shows it
TEXT_FIELDS = ("signal", "colour", "message", "guidance", "instructions")


def admin(request: web.Request) -> Me | web.Response:
    """The signed-in admin, or the refusal page: alerts reach residents, so only admins send them."""
    me, _ = request[ME], gettext(request)
    if me.actor.role != "admin":
        return error_page(request, 403, _("Only administrators may use the alert pages."))
    return me


def body_of(form: MultiDictProxy[Any], *, update: bool = False) -> dict[str, Any]:
    """The JSON body the API would get, from the compose (or update) form; ``area`` is the map's JSON."""
    body: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = str(form.get(name, "")).strip()
        if value or (name in ("message", "signal", "colour") and not update):
            body[name] = value
    if not update:
        body["test"] = form.get("test") in ("1", "on", "true")
    raw = str(form.get("area", "")).strip()
    if raw or not update:
        try:
            area = json.loads(raw) if raw else {}
        except (ValueError, RecursionError):  # RecursionError: a hostile "[[[[…" nested past the parser's depth
            area = "not JSON"
        body["area"] = area
    return body


def words(exc: Exception) -> str:
    """A refusal in words: the domain's message, or each invalid field with pydantic's reason."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)


def refused(exc: Exception) -> web.Response:
    return json_response({"error": words(exc)}, status=400, headers={"Cache-Control": "no-store"})


def local(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else ""
