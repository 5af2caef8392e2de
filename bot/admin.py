"""The staff's HTTP API at ``/admin/v1``: one sub-application whose every request is authenticated.

The views live in ``bot.views``; shared state (the case context, the settings …) is on the root
app, which handlers reach through ``request.config_dict``. A new admin view adds its module here.
"""

from __future__ import annotations

from aiohttp import web

from bot import admin_docs, middlewares
from bot.views import (
    alerts,
    cases,
    departments,
    export,
    grid,
    messages,
    nlp,
    privacy,
    registers,
    spot_checks,
    stats,
    surveys,
    taxonomy,
    users,
)
from bot.views import sessions as page_sessions

PREFIX = "/admin/v1"


def build() -> web.Application:
    app = web.Application(middlewares=[middlewares.admin_auth])
    # export first: /cases/export must match before /cases/{case_no}
    for module in (export, cases, grid, taxonomy, alerts, surveys, messages, nlp, departments, users, stats,
                   privacy, page_sessions, admin_docs, spot_checks, registers):
        app.add_routes(module.routes)
    return app
