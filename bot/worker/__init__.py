"""The grid worker's pages (网格员工作台): 我的任务, a case with its one-tap actions, 巡查上报, on a phone.

Server-rendered (Jinja2 through aiohttp-jinja2), templates and static files beside this module, no CDN.
Views stay thin: they call intake's rules (who may see or do what) and translate domain errors.
Shared state lives on the root app, reached as ``request.config_dict[...]``; authentication (signed
links, the session cookie, CSRF) is this sub-app's middleware (``bot.worker.auth``).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.sections import WorkerSection
from bot.web import render
from bot.worker import alerts, me, offline, patrol, signin, views
from bot.worker.auth import CONFIG, worker_auth
from bot.worker.config import WorkerConfig
from bot.worker.idem import idempotent

PREFIX = "/worker"
# The shared base and error pages' words are msgids, translated in the template.
SITE = render.Site(PREFIX, "worker.css", home="My tasks", back="Back to my tasks", script="offline.js")


def build(section: WorkerSection) -> web.Application:
    app = web.Application(middlewares=[worker_auth, idempotent])  # idempotent needs the user
    app[CONFIG] = WorkerConfig.of(section)
    render.setup(app, Path(__file__).resolve().parent, SITE)
    app.add_routes(views.routes)
    app.add_routes(patrol.routes)
    app.add_routes(signin.routes)
    app.add_routes(offline.routes)
    app.add_routes(alerts.routes)
    app.add_routes(me.routes)
    return app
