"""Admin API for case statistics and 考核 (``intake.stats``).

``GET /admin/v1/stats/cases?by=street&from=2026-11-01&to=2026-12-01`` (admin, dispatcher, supervisor).
``by`` is street, community, grid, worker, department, category or month; ``from``/``to`` are local
(Asia/Shanghai) days of receipt, ``to`` exclusive; ``area`` narrows to a grid-code prefix (a street,
community or cell) and ``order`` ranks the rows by one figure (best first). A street's dispatcher sees
only their area.
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
from intake.stats.report import ReportRow, case_report, ranked

routes = web.RouteTableDef()
PARAMS = frozenset({"by", "from", "to", "area", "order"})  # unknown ones: bot.queries refuses them first


@routes.get("/stats/cases")
async def case_stats(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR)
    q = request.query
    if any(len(q.getall(name, [])) > 1 for name in PARAMS):
        raise Invalid("each parameter may be given once")
    query = stats_query(q.get("by", "street"), q.get("from"), q.get("to"), q.get("area"))
    weights = request.config_dict[SETTINGS].score
    rows = await case_report(request.config_dict[CASES], who, query, weights)
    if q.get("order"):
        rows = ranked(rows, q["order"])
    names = await key_names(request.config_dict[CASES], query.by, (r.figures.key for r in rows))
    return json_response({
        "by": query.by, "from": q.get("from"), "to": q.get("to"), "area": query.area, "order": q.get("order"),
        "weights": weights.as_dict(), "rows": [row_json(r) | {"name": _name(names, r.figures.key)} for r in rows],
    })


def stats_query(by: str, since: str | None, until: str | None, area: str | None) -> CaseQuery:
    """The query of a request's parameters (the API's and the console's): clear errors for bad ones."""
    if by not in DIMENSIONS:
        raise Invalid(f"by must be one of {', '.join(DIMENSIONS)}", allowed=list(DIMENSIONS))
    if area is not None and not (area.isdigit() and len(area) <= 20):
        raise Invalid("area must be a grid code (digits)")
    query = CaseQuery(by=by, since=local_day(since, "from"), until=local_day(until, "to"), area=area or None)
    if query.since and query.until and query.since >= query.until:
        raise Invalid("from must be before to")
    return query


def row_json(r: ReportRow) -> dict[str, object]:
    return asdict(r.figures) | {"satisfaction_rate": r.satisfaction_rate,
                                "dissatisfaction_rate": r.dissatisfaction_rate, "answered": r.answered,
                                "flagged": r.flagged, "score": asdict(r.score)}


def _name(names: dict[str, str], key: str | None) -> str | None:
    """The key's name; a month (or a key nothing names) reads as itself, a missing key as nothing."""
    return None if key is None else names.get(str(key), str(key))
