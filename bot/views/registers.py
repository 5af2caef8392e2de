"""``GET /admin/v1/transfers`` and ``GET /admin/v1/upstream-requests``: the workflow's side records, paged
and filtered, in the caller's area (intake.cases.registers)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.views.common import flag, local_day, page
from intake.cases import registers
from intake.cases.numbers import parse_case_no
from intake.errors import Invalid
from intake.store.models_workflow import CaseTransfer, UpstreamRequest

routes = web.RouteTableDef()
DIVISION = re.compile(r"\d{1,20}")
SERVICE = re.compile(r"[0-9A-Za-z_.:-]{1,64}")


def _window(request: web.Request) -> registers.Window:
    number, size = page(request)
    since, until = local_day(request.query.get("from"), "from"), local_day(request.query.get("to"), "to")
    return registers.Window((number - 1) * size, size, since, until + timedelta(days=1) if until else None)


def _case_no(request: web.Request) -> str | None:
    raw = request.query.get("case_no")
    if not raw:
        return None
    found = parse_case_no(raw)
    if found is None:
        raise Invalid("case_no is not a case number")
    return found


def _matching(request: web.Request, name: str, pattern: re.Pattern[str], what: str) -> str | None:
    raw = request.query.get(name)
    if raw and not pattern.fullmatch(raw):
        raise Invalid(f"{name} must be {what}")
    return raw or None


def _page(request: web.Request, window: registers.Window, total: int, items: list[dict[str, Any]]) -> web.Response:
    return json_response({"total": total, "page": window.offset // window.limit + 1, "per_page": window.limit,
                          "items": items})


@routes.get("/transfers")
async def transfers(request: web.Request) -> web.Response:
    window = _window(request)
    total, rows = await registers.transfers(
        actor(request), window, case_no=_case_no(request),
        to_code=_matching(request, "into", DIVISION, "a division code (digits)"), moved=flag(request, "moved"))
    return _page(request, window, total, [_transfer(r) for r in rows])


@routes.get("/upstream-requests")
async def upstream_requests(request: web.Request) -> web.Response:
    window = _window(request)
    total, rows = await registers.upstream_requests(
        actor(request), window, status=request.query.get("status") or None, case_no=_case_no(request),
        service_code=_matching(request, "service_code", SERVICE, "a service code"))
    return _page(request, window, total, [_upstream(r) for r in rows])


def _transfer(row: CaseTransfer) -> dict[str, Any]:
    return {"case_no": row.case_no, "from_grid": row.from_grid, "to": row.to_code, "moved": row.moved,
            "by": row.by, "note": row.note, "at": row.at.isoformat()}


def _upstream(row: UpstreamRequest) -> dict[str, Any]:
    return {"case_no": row.case_no, "service_code": row.service_code, "service_request_id": row.service_request_id,
            "token": row.token, "status": row.status, "status_notes": row.status_notes, "agency": row.agency,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "polled_at": row.polled_at.isoformat() if row.polled_at else None}
