"""What the classifier pages share: who may open them, domain errors in words, names beside codes.

The tuning rules live in ``intake.tuning`` and ``tuning``; these pages call them as the admin API does
(``bot/views/nlp.py``) and only turn their answers into HTML.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

from bot.console.auth import ME, sessions
from bot.keys import CASES
from bot.web.render import error_page, gettext, language, see_other
from intake.cases.states import Role
from intake.errors import Conflict, DomainError, IllegalTransition, Invalid, NotFound

ADMIN = frozenset({Role.ADMIN})
TRIAGERS = frozenset({Role.ADMIN, Role.DISPATCHER})
# A domain error's kind in words; its own message follows in brackets.
WORDS = {
    Invalid: "Please check what you entered.",
    NotFound: "There is no such item.",
    IllegalTransition: "This step is not possible now.",
    Conflict: "Someone else changed this meanwhile. Please look again and retry.",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def allowed(roles: frozenset[Role]) -> Callable[[Handler], Handler]:
    """Refuse (403, in words) a signed-in user whose role may not use the page; the sign-in is the middleware's."""
    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if request[ME].actor.role not in roles:
                return error_page(request, 403, gettext(request)("Only an administrator may use this page."))
            return await handler(request)
        guarded.__name__ = guarded.__qualname__ = handler.__name__
        return guarded
    return wrap


def in_words(request: web.Request, exc: DomainError) -> str:
    _ = gettext(request)
    return f"{_(WORDS.get(type(exc), 'Please check what you entered.'))} ({exc.message})"


async def flash_and_go(request: web.Request, where: str, text: str, kind: str = "ok") -> web.Response:
    """Post/redirect/get: the outcome as the next page's flash message."""
    await sessions(request).flash(request[ME].session.sid, text, kind)
    return see_other(where)


async def attempt(request: web.Request, where: str, done: str, step: Callable[[], Awaitable[Any]]) -> web.Response:
    """Run ``step``; flash ``done`` or the domain error in words; go back to ``where``."""
    try:
        await step()
    except DomainError as exc:
        return await flash_and_go(request, where, in_words(request, exc), "error")
    return await flash_and_go(request, where, done)


async def flash(request: web.Request) -> dict[str, str] | None:
    return await sessions(request).pop_flash(request[ME].session.sid)


def name_of(request: web.Request, code: str | None) -> str:
    found = request.config_dict[CASES].taxonomy.catalog.find(code) if code else None
    return found.name(language(request)) if found else (code or "—")


def named(request: web.Request, top: Sequence[Sequence[Any]], n: int = 5) -> list[dict[str, Any]]:
    """The candidates with their names, best first: what a person chooses from."""
    return [{"code": str(c), "name": name_of(request, str(c)), "score": float(s)} for c, s in list(top)[:n]]


def leaves(request: web.Request) -> list[tuple[str, str]]:
    """Every live leaf category as (code, name): the full choice beside the top 5."""
    lang = language(request)
    return [(c.code, c.name(lang)) for c in request.config_dict[CASES].taxonomy.catalog.leaves()]


def form_id(raw: object) -> int | None:
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def path_id(request: web.Request) -> int:
    found = form_id(request.match_info["id"])
    if found is None:
        raise NotFound("no such id")
    return found
