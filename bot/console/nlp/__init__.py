"""The classifier tuning pages (``/console/nlp``): triage, labels, models, keyword rules, try it (#15, #17).

Dispatchers triage; every other page is an administrator's. The pages call the same domain and
tuning functions as the admin API (``bot/views/nlp.py``); they never re-state a rule.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.nlp import labels, models, rules, serving, triage

TABLES = (triage.routes, labels.routes, models.routes, serving.routes, rules.routes)


def add_routes(app: web.Application) -> None:
    for table in TABLES:
        app.add_routes(table)
