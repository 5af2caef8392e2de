"""What every setup page shares: admins only, the post/redirect/get with a flash, domain errors in words."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.console.auth import ME, sessions
from bot.web.auth import Me
from bot.web.render import error_page, gettext, page, see_other
from intake.cases.states import Role
from intake.errors import DomainError, NotFound

Handler = Callable[[web.Request, Me], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()
# The setup sections, in the order of the tab bar: (route name, msgid).
TABS = (("setup_users", "Users"), ("setup_departments", "Departments"), ("setup_groups", "Grid groups"),
        ("setup_categories", "Categories"), ("setup_grids", "Grid import"))


def admin_only(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Setup changes who works where: admins only (the console lets dispatchers and supervisors in)."""
    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        me = request[ME]
        if me.actor.role is not Role.ADMIN:
            return error_page(request, 403, gettext(request)("Only admins may set up the district."))
        return await handler(request, me)

    return guarded


async def setup_page(request: web.Request, me: Me, template: str, tab: str, context: dict[str, Any],
                     status: int = 200) -> web.Response:
    flash = await sessions(request).pop_flash(me.session.sid)
    return page(template, request, {"me": me, "tab": tab, "tabs": TABS, "flash": flash, **context}, status=status)


async def done(request: web.Request, me: Me, target: str, work: Callable[[], Awaitable[str]]) -> web.Response:
    """Run ``work`` (its result is the success words), flash the outcome and redirect to ``target``."""
    _ = gettext(request)
    try:
        words, kind = await work(), "ok"
    except NotFound as exc:
        words, kind = f"{_('Not found.')} ({exc.message})", "error"
    except DomainError as exc:
        words, kind = f"{_('Please check what you entered.')} ({exc.message})", "error"
    except ValidationError as exc:  # a form checked by the API's own schema
        said = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        words, kind = f"{_('Please check what you entered.')} ({said})", "error"
    await sessions(request).flash(me.session.sid, words, kind)
    return see_other(target)


def field(form: Any, name: str, width: int = 200) -> str:
    value = form.get(name, "")
    return value.strip()[:width] if isinstance(value, str) else ""
