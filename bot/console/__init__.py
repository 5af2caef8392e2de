"""The staff console (dispatchers, supervisors, admins): the dispatcher's desk and the case page (#14).

Server-rendered (Jinja2), templates and static files beside this module, no CDN. Pages render, they
do not decide: who may see or do what is intake's rule (``intake.cases.scope``, ``states``), called,
never copied. Sessions are :mod:`bot.web.session` under the ``console`` namespace (a worker's
cookie never opens the console); authentication and CSRF are this sub-app's middleware.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.console import (
    alerts,
    case_page,
    live,
    login,
    mapviews,
    nlp,
    setup,
    staff,
    statsviews,
    views,
    wecom_login,
)
from bot.console.auth import CONFIG, console_auth
from bot.console.config import ConsoleConfig
from bot.web import render

PREFIX = "/console"
# The shared base and error pages' words are msgids, translated in the template.
SITE = render.Site(PREFIX, "console.css", home="Dispatcher's desk", back="Back to the desk")


def build(config: ConsoleConfig | None = None) -> web.Application:
    app = web.Application(middlewares=[console_auth])
    app[CONFIG] = config or ConsoleConfig()
    render.setup(app, Path(__file__).resolve().parent, SITE)
    app.add_routes(login.routes)
    app.add_routes(wecom_login.routes)
    app.add_routes(statsviews.routes)  # /cases/export before /cases/{case_no}
    app.add_routes(views.routes)
    app.add_routes(live.routes)
    nlp.add_routes(app)
    app.add_routes(setup.routes)
    app.add_routes(case_page.routes)
    app.add_routes(staff.routes)
    app.add_routes(mapviews.routes)
    alerts.add_routes(app)
    return app
