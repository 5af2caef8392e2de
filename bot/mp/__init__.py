"""The WeChat mini-program API, ``/mp/v1``: login, photos, reports and their follow-up, alerts.

``setup`` is called by the app factory. The routes are a sub-application at ``/mp/v1`` (handlers reach
shared state through ``request.config_dict``); the mini-program's services are built on the root app,
in its ``cleanup_ctx``, because they need the root's key-value store, which a sub-app cannot reach at start-up.
"""

from __future__ import annotations

from aiohttp import web

from bot.mp import openapi, views_account, views_follow, views_media, views_privacy, views_reports, views_resident
from bot.mp.config import Limits, MpConfig
from bot.mp.services import MP_CONFIG, mp_context

__all__ = ["PREFIX", "Limits", "MpConfig", "setup"]
PREFIX = "/mp/v1"


def setup(app: web.Application, config: MpConfig) -> None:
    app[MP_CONFIG] = config
    app.cleanup_ctx.append(mp_context)
    app.add_subapp(PREFIX, build())


def build() -> web.Application:
    app = web.Application()
    for module in (views_account, views_media, views_reports, views_follow, views_privacy, views_resident,
                   openapi):
        app.add_routes(module.routes)
    return app
