"""The grid worker's pages (网格员工作台): the home the next issue fills; nothing is served yet.

What goes here: the worker's own pages (their tasks, handling a case on a phone, check-ins), their
templates and static files. Views stay thin: they call intake's rules (who may see or do what) and
translate domain errors; they make no ORM calls for such rules. Shared state lives on the root app,
reached as ``request.config_dict[...]``; the worker's authentication middleware goes on this sub-app,
as ``admin_auth`` does on ``bot.admin``. When the first page lands, mount it in ``bot.app`` with
``app.add_subapp(worker.PREFIX, worker.build())``.
"""

from __future__ import annotations

from aiohttp import web

PREFIX = "/worker"


def build() -> web.Application:
    """The sub-application; its views add their ``routes`` here."""
    return web.Application()
