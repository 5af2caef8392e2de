"""Admin API for satisfaction surveys: rates by grid, category, department, assignee or month.

``GET /admin/v1/surveys/stats?by=grid&from=2026-11-01&to=2026-12-01&min_sample=10`` (admin, dispatcher).
``from``/``to`` are local (Asia/Shanghai) days of the closing, ``to`` exclusive; a street's
dispatcher sees only their grids.
"""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES
from bot.views.common import local_day
from intake.cases.states import Role
from intake.errors import Invalid
from intake.stats.names import key_names
from intake.surveys.stats import DIMENSIONS, StatsQuery, by_dimension

routes = web.RouteTableDef()
MAX_SAMPLE = 100_000


@routes.get("/surveys/stats")
async def stats(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER)
    q = request.query
    by = q.get("by", "grid")
    if by not in DIMENSIONS:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=sorted(DIMENSIONS))
    query = StatsQuery(by=by, since=local_day(q.get("from"), "from"), until=local_day(q.get("to"), "to"),
                       min_sample=_sample(q.get("min_sample")))
    if query.since and query.until and query.since >= query.until:
        raise Invalid("from must be before to")
    ctx = request.config_dict[CASES]
    rows = await by_dimension(ctx, who, query)
    names = await key_names(ctx, by, (r.key for r in rows))
    minimum = query.min_sample if query.min_sample is not None else ctx.surveys.min_sample
    return json_response({
        "by": by,
        "from": q.get("from"), "to": q.get("to"),
        "rule": {"dissatisfaction_rate_over": ctx.surveys.flag_rate, "min_sample": minimum},
        "rows": [asdict(r) | {"name": None if r.key is None else names.get(str(r.key), str(r.key))} for r in rows],
        "flagged": [r.key for r in rows if r.flagged],
    })


def _sample(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_SAMPLE:
        raise Invalid(f"min_sample must be a whole number within 1–{MAX_SAMPLE}")
    return int(raw)
