"""The staff console (dispatchers, supervisors, department staff): the home the next issue fills; nothing is
served yet.

What goes here: the console's pages (case queues, dispatch, supervision, statistics), their templates and
static files. The JSON API they call is ``bot.admin`` (``/admin/v1``); pages here render, they do not
decide: who may see or do what is intake's rule, called, never copied. Shared state lives on the root
app, reached as ``request.config_dict[...]``; the console's session middleware goes on this sub-app. When
the first page lands, mount it in ``bot.app`` with ``app.add_subapp(console.PREFIX, console.build())``.
"""

from __future__ import annotations

from aiohttp import web

PREFIX = "/console"


def build() -> web.Application:
    """The sub-application; its views add their ``routes`` here."""
    return web.Application()
