"""Admin API for the PIPL access log: who read which resident's data, and why.

``GET /admin/v1/privacy/reads?case_no=…&user_id=…&limit=…`` (admin only; newest first, ≤ 500 rows).
The log itself is written by the views that show resident data (:mod:`intake.privacy.reads`).
"""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role
from intake.errors import Invalid
from intake.privacy import reads

routes = web.RouteTableDef()


def _int(raw: str | None, name: str, default: int | None) -> int | None:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{name} must be a positive whole number")
    return int(raw)


@routes.get("/privacy/reads")
async def read_log(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    q = request.query
    case_no = None
    if q.get("case_no"):
        case_no = parse_case_no(q["case_no"])
        if case_no is None:
            raise Invalid("case_no is not a case number")
    limit = _int(q.get("limit"), "limit", 100) or 100
    rows = await reads.listing(case_no, _int(q.get("user_id"), "user_id", None), min(limit, reads.PAGE_MAX))
    return json_response({"items": rows})
