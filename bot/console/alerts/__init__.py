"""The admin's alert pages (``/console/alerts``): compose with a preview, upload a CAP file, follow an
alert cell by cell (live), update or cancel it, and replay a typhoon best track as a timeline.

Thin over the domain, as the admin API is: the same ``compose`` / ``from_cap`` / ``preview`` /
``AlertService.receive`` calls and the same request models (:mod:`bot.views.alerts`). Admins only;
the console's middleware has already checked the session and CSRF.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.alerts import composing, follow, replaying


def add_routes(app: web.Application) -> None:
    # The fixed paths (preview, cap, replay) before /alerts/{alert_id}.
    app.add_routes(composing.routes)
    app.add_routes(replaying.routes)
    app.add_routes(follow.routes)
