"""The console's statistics: tables by street … month with a period picker, charts, the 考核 breakdown,
exports and the monthly report. Every number is :func:`intake.stats.report.case_report`'s — the query
behind ``GET /admin/v1/stats/cases`` — so page, export and API never disagree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.console.auth import ME
from bot.keys import CASES, SETTINGS
from bot.views.export import TYPES, stream_cases, stream_table
from bot.views.stats import row_json, stats_query
from bot.web.render import error_page, gettext, page
from intake.cases.export import defuse
from intake.errors import DomainError
from intake.sla.calendar import to_shanghai
from intake.stats.cases import DIMENSIONS
from intake.stats.labels import COLUMNS, cells, labels
from intake.stats.query import CaseQuery
from intake.stats.report import RANKABLE, ReportRow, case_report, ranked

routes = web.RouteTableDef()
BY_LABELS = {"street": "Street", "community": "Community", "grid": "Grid cell", "worker": "Worker",
             "department": "Department", "category": "Category", "month": "Month"}


async def _report(request: web.Request, query: CaseQuery, order: str) -> list[ReportRow]:
    rows = await case_report(request.config_dict[CASES], request[ME].actor, query, request.config_dict[SETTINGS].score)
    return ranked(rows, order) if order else rows


def _period(request: web.Request) -> tuple[str, str]:
    """The picked period, else this month (local days, ``to`` exclusive)."""
    q = request.query
    if q.get("from") or q.get("to"):
        return q.get("from", ""), q.get("to", "")
    today = to_shanghai(request.config_dict[CASES].clock()).date()
    first = today.replace(day=1)
    return first.isoformat(), _next_month(first).isoformat()


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@routes.get("/stats", name="stats")
async def stats_page(request: web.Request) -> web.Response:
    _, q, ctx = gettext(request), request.query, request.config_dict[CASES]
    since, until = _period(request)
    order = q.get("order", "score")
    try:
        query = stats_query(q.get("by", "street"), since, until, q.get("area") or None)
        rows = await _report(request, query, order)
        trend = await _report(request, CaseQuery("month", None, query.until, area=query.area), "")
    except DomainError as err:
        return error_page(request, 400, str(err))
    names = await labels(ctx, query.by, [r.figures.key for r in rows])
    trend = sorted(trend, key=lambda r: r.figures.key or "")[-12:]
    chart = {"months": [r.figures.key for r in trend], "received": [r.figures.received for r in trend],
             "closed": [r.figures.closed for r in trend], "on_time": [r.figures.on_time_rate for r in trend],
             "ranking": [[names.get(r.figures.key or "", r.figures.key or "—"), r.figure(order)] for r in rows[:15]],
             "labels": {"received": _("Received"), "closed": _("Closed"), "on_time": _("On-time rate"),
                        "ranking": _(order)}}
    return page("stats.html", request, {
        "me": request[ME], "by": query.by, "by_labels": BY_LABELS, "since": since, "until": until,
        "area": query.area or "", "order": order, "orders": RANKABLE, "rows": [row_json(r) for r in rows],
        "names": names, "chart": chart, "query_string": request.query_string,
        "area_name": ctx.grid.index.cell(query.area).name if query.area and query.area in ctx.grid.index else ""})


@routes.get("/stats/export", name="stats_export")
async def stats_export(request: web.Request) -> web.StreamResponse:
    q = request.query
    since, until = _period(request)
    fmt = q.get("format", "xlsx")
    try:
        if fmt not in TYPES:
            return error_page(request, 400, gettext(request)("The format must be csv or xlsx."))
        query = stats_query(q.get("by", "street"), since, until, q.get("area") or None)
        rows = await _report(request, query, q.get("order", "score"))
    except DomainError as err:
        return error_page(request, 400, str(err))
    names = await labels(request.config_dict[CASES], query.by, [r.figures.key for r in rows])

    async def batches() -> AsyncIterator[Sequence[list[str]]]:
        yield [[defuse(c) for c in cells(r, names)] for r in rows]
    return await stream_table(request, fmt, f"stats-{query.by}-{since}-{until}", [query.by, "name", *COLUMNS],
                              batches())


@routes.get("/cases/export", name="cases_export")
async def cases_export(request: web.Request) -> web.StreamResponse:
    """The case list with the admin list's filters, in the signed-in user's scope (the API's export)."""
    try:
        return await stream_cases(request, request[ME].actor, "console case export")
    except DomainError as err:
        return error_page(request, 400, str(err))


@routes.get("/stats/report", name="stats_report")
async def monthly_report(request: web.Request) -> web.Response:
    """One month on one page, printable to PDF from the browser (print CSS hides the bars)."""
    ctx, raw = request.config_dict[CASES], request.query.get("month", "")
    today = to_shanghai(ctx.clock()).date()
    try:
        first = date.fromisoformat(raw + "-01") if raw else today.replace(day=1)
    except ValueError:
        return error_page(request, 400, gettext(request)("The month must look like 2026-11."))
    since, until = first.isoformat(), _next_month(first).isoformat()
    tables: dict[str, Any] = {}
    for by in ("street", "category", "worker"):
        query = stats_query(by, since, until, None)
        rows = (await _report(request, query, "score"))[:20]
        tables[by] = ([row_json(r) for r in rows], await labels(ctx, by, [r.figures.key for r in rows]))
    months = [row_json(r) for r in await _report(request, stats_query("month", since, until, None), "")]
    return page("report.html", request, {"me": request[ME], "month": first.strftime("%Y-%m"), "tables": tables,
                                         "total": months[0] if months else None, "by_labels": BY_LABELS,
                                         "dimensions": list(DIMENSIONS)})
