"""The dispatcher's desk (queues with counts) and the case page with its actions.

Each POST calls intake's ``act`` and redirects back (post/redirect/get) with the outcome as a flash
message; domain errors become words. A case outside the user's scope is "not found", as in the API.
"""

from __future__ import annotations

from aiohttp import web

from bot.console import queues
from bot.console.auth import ME, sessions
from bot.jsonout import json_response
from bot.keys import CASES
from bot.web import media, present
from bot.web.pages import act_and_return, case_context, visible_case
from bot.web.render import error_page, gettext, language, page, see_other
from intake.cases.model import ActionRequest
from intake.cases.states import Status, allowed_actions
from intake.store.models import Case, User, UserGrid
from intake.store.models_nlp import TriageItem

routes = web.RouteTableDef()
# The actions the case page has a form for, in the order offered, and their labels (msgids).
FORMS = {"register": "Register (立案)", "reject": "Reject (不予立案)", "dispatch": "Dispatch",
         "comment": "Comment (督办)"}


@routes.get("", name="bare")
async def bare(request: web.Request) -> web.Response:
    return see_other(request.app.router["desk"].url_for())


@routes.get("/", name="desk")
async def desk(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    q = request.query
    queue = q.get("queue", "new") if q.get("queue", "new") in queues.QUEUES else "new"
    category = q.get("category", "")[:16] if q.get("category", "").isdigit() else ""
    severity = q.get("severity", "") if q.get("severity", "") in queues.SEVERITIES else ""
    now = ctx.clock()
    found = await queues.cases(me.actor, queue, now, category, severity)
    return page("desk.html", request, {
        "me": me, "queue": queue, "category": category, "severity": severity,
        "severities": queues.SEVERITIES, "labels": queues.LABELS, "counts": await queues.counts(me.actor, now),
        "rows": present.rows(ctx, found, now, language(request), _),
        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.get("/counts.json", name="counts")
async def counts(request: web.Request) -> web.Response:
    me, ctx = request[ME], request.config_dict[CASES]
    return json_response(await queues.counts(me.actor, ctx.clock()), headers={"Cache-Control": "no-store"})


@routes.get("/cases/{case_no}", name="case")
async def case_page(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case in your area."))
    lang, triage = language(request), await TriageItem.get_or_none(case_no=case.case_no)
    allowed = set(allowed_actions(Status(case.status), me.actor.role))
    return page("case.html", request, {
        **await case_context(request, sessions(request), me.session, case), "me": me,
        "top": [(present.category_name(ctx, str(c), lang, _), float(s)) for c, s in (triage.top if triage else [])][:5],
        "actions": [(a, label) for a, label in FORMS.items() if a in allowed],
        "workers": await _cell_workers(case) if "dispatch" in allowed else []})


@routes.post("/cases/{case_no}", name="case_action")
async def case_action(request: web.Request) -> web.Response:
    me, _ = request[ME], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case in your area."))
    form = await request.post()
    action, note = str(form.get("action", "")), str(form.get("note", "")).strip()[:2000] or None
    if action not in FORMS:
        return error_page(request, 400, _("This page does not offer that step."))
    worker = str(form.get("user_id", ""))
    params = {"user_id": int(worker)} if action == "dispatch" and worker.isdigit() else {}
    return await act_and_return(request, sessions(request), me.session, me.actor, case,
                                ActionRequest(action, note, params=params), FORMS[action],
                                _("There is no such case in your area."))


async def _cell_workers(case: Case) -> list[tuple[int, str]]:
    """Active workers whose grids hold the case's cell: whom the dispatch form offers."""
    if not case.grid_code:
        return []
    cells = [case.grid_code[:n] for n in range(1, len(case.grid_code) + 1)]  # the cell and every level above
    links = await UserGrid.filter(grid_code__in=cells).values("user_id")
    users = await User.filter(id__in=sorted({int(r["user_id"]) for r in links}), role="worker",
                              active=True).order_by("name")
    return [(u.id, u.name) for u in users]


routes.get("/media/{media_id}", name="media")(media.route(ME))
