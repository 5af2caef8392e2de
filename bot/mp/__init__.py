"""The WeChat mini-program API, ``/mp/v1``: login, photos, reports and their follow-up, alerts.

``setup`` is called by the app factory; it needs the key-value store and the
case context, which the factory's earlier ``cleanup_ctx`` entries provide.
"""

from __future__ import annotations

from aiohttp import web

from bot.mp import openapi, views_account, views_follow, views_media, views_reports
from bot.mp.config import Limits, MpConfig
from bot.mp.services import MP_CONFIG, mp_context

__all__ = ["Limits", "MpConfig", "setup"]


def setup(app: web.Application, config: MpConfig) -> None:
    app[MP_CONFIG] = config
    app.cleanup_ctx.append(mp_context)
    for module in (views_account, views_media, views_reports, views_follow, openapi):
        app.add_routes(module.routes)
