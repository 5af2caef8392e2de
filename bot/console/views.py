"""The dispatcher's desk: queues with live counts, filters, and bulk steps on a selection.

The queues and what they hold are intake's (``intake.cases.desk``); this module reads the filter form,
renders, and for a bulk step takes it case by case through intake's ``act``, reporting each outcome.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from aiohttp import web

from bot.console import choices, forms
from bot.console.auth import ME, sessions
from bot.jsonout import json_response
from bot.keys import CASES
from bot.web import media, present
from bot.web.pages import readable_case, try_act
from bot.web.render import error_page, gettext, language, page, see_other
from intake.cases import desk as queues
from intake.errors import Invalid

routes = web.RouteTableDef()
_CHANNEL = re.compile(r"[a-z0-9_]{1,32}")


def _day(value: str, shift: int = 0) -> datetime | None:
    """A ``YYYY-MM-DD`` field as the start of that Beijing day (plus ``shift`` days); junk is no filter."""
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=forms.SHANGHAI)
    except ValueError:
        return None
    return day + timedelta(days=shift)


def desk_filter(request: web.Request) -> queues.DeskFilter:
    """The filter of the query string; a malformed field is ignored, never an error page."""
    q = {k: request.query.get(k, "")[:40] for k in ("category", "severity", "area", "channel", "since", "until")}
    return queues.DeskFilter(
        category=q["category"] if q["category"].isascii() and q["category"].isdigit() else "",
        severity=q["severity"] if q["severity"] in queues.SEVERITIES else "",
        area=q["area"] if q["area"].isascii() and q["area"].isdigit() else "",
        channel=q["channel"] if _CHANNEL.fullmatch(q["channel"]) else "",
        since=_day(q["since"]), until=_day(q["until"], 1))


@routes.get("", name="bare")
async def bare(request: web.Request) -> web.Response:
    return see_other(request.app.router["desk"].url_for())


@routes.get("/", name="desk")
async def desk(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    queue = request.query.get("queue", "new")
    queue = queue if queue in queues.QUEUES else "new"
    flt, now = desk_filter(request), ctx.clock()
    found = await queues.cases(me.actor, queue, now, flt)
    return page("desk.html", request, {
        "me": me, "queue": queue, "f": flt, "raw": request.query, "severities": queues.SEVERITIES,
        "severity_words": {s: present.severity(s, _) for s in queues.SEVERITIES},
        "channels": queues.CHANNELS, "labels": queues.LABELS, "counts": await queues.counts(me.actor, now, flt),
        "areas": await choices.areas(me.actor), "bulk": forms.BULK,
        "workers": await choices.area_workers(me.actor), "departments": await choices.all_departments(),
        "rows": present.rows(ctx, found, now, language(request), _),
        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.get("/counts.json", name="counts")
async def counts(request: web.Request) -> web.Response:
    me, ctx = request[ME], request.config_dict[CASES]
    found = await queues.counts(me.actor, ctx.clock(), desk_filter(request))
    return json_response(found, headers={"Cache-Control": "no-store"})


@routes.post("/bulk", name="bulk")
async def bulk(request: web.Request) -> web.Response:
    """One step on each ticked case; the page lists each case's outcome (one failure stops none of the rest)."""
    me, _ = request[ME], gettext(request)
    form = await request.post()
    action = str(form.get("action", ""))
    if action not in forms.BULK:
        return error_page(request, 400, _("This page does not offer that step."))
    try:
        numbers = forms.case_numbers(form)
        step = forms.request(action, form)
    except Invalid as exc:
        return error_page(request, 400, f"{_('Please check what you entered.')} ({exc.message})")
    if not numbers:
        return error_page(request, 400, _("Tick at least one case."))
    results = []
    for raw in numbers:
        case = await readable_case(me.actor, raw)
        failed = await try_act(request, me.actor, case, step) if case else _("There is no such case in your area.")
        results.append((raw, failed))
    return page("bulk.html", request, {"me": me, "label": forms.BULK[action], "results": results})


routes.get("/media/{media_id}", name="media")(media.route(ME))
