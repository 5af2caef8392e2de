"""Admin API for case statistics and 考核 (``intake.stats``).

``GET /admin/v1/stats/cases?by=street&from=2026-11-01&to=2026-12-01`` (admin, dispatcher, supervisor).
``by`` is street, community, grid, worker, department, category or month; ``from``/``to`` are local
(Asia/Shanghai) days of receipt, ``to`` exclusive. A street's dispatcher sees only their area.
"""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES, SETTINGS
from bot.views.common import local_day
from intake.cases.states import Role
from intake.errors import Invalid
from intake.stats.cases import DIMENSIONS
from intake.stats.names import key_names
from intake.stats.query import CaseQuery
from intake.stats.report import case_report

routes = web.RouteTableDef()


@routes.get("/stats/cases")
async def case_stats(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR)
    q = request.query
    if len(q.getall("by", [])) > 1:
        raise Invalid("by may be given once")
    by = q.get("by", "street")
    if by not in DIMENSIONS:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=list(DIMENSIONS))
    query = CaseQuery(by=by, since=local_day(q.get("from"), "from"), until=local_day(q.get("to"), "to"))
    if query.since and query.until and query.since >= query.until:
        raise Invalid("from must be before to")
    weights = request.config_dict[SETTINGS].score
    rows = await case_report(request.config_dict[CASES], who, query, weights)
    names = await key_names(request.config_dict[CASES], by, (r.figures.key for r in rows))
    return json_response({
        "by": by, "from": q.get("from"), "to": q.get("to"), "weights": weights.as_dict(),
        "rows": [asdict(r.figures) | {"name": _name(names, r.figures.key), "satisfaction_rate": r.satisfaction_rate,
                                      "score": asdict(r.score)} for r in rows],
    })


def _name(names: dict[str, str], key: str | None) -> str | None:
    """The key's name; a month (or a key nothing names) reads as itself, a missing key as nothing."""
    return None if key is None else names.get(str(key), str(key))
