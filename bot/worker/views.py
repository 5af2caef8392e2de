"""The worker's pages: 我的任务, a case, its one-tap actions, signing in and out.

Each POST calls intake's ``act`` and answers with a redirect back (post/redirect/get), carrying the
outcome as a flash message; domain errors become words on the page, never a stack of JSON.
"""

from __future__ import annotations

from aiohttp import web

from bot.keys import CASES
from bot.web import media, present, watermarks
from bot.web.pages import act_and_return, case_context, visible_case
from bot.web.render import error_page, gettext, language, page, see_other
from bot.web.uploads import device_position, photo_config, read_form, runner
from bot.worker import forms
from bot.worker.auth import ME, sessions
from bot.worker.session import COOKIE
from intake.cases import repo
from intake.cases.repo import CaseFilter
from intake.cases.states import OPEN
from intake.errors import DomainError
from intake.photos import staff

routes = web.RouteTableDef()
MAX_TASKS = 200  # a worker's open tasks fit in one page; more would need the desk, not a phone


@routes.get("", name="bare")
async def bare(request: web.Request) -> web.Response:
    return see_other(request.app.router["home"].url_for())  # /worker → /worker/


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    now = ctx.clock()
    total, cases = await repo.search(me.actor, CaseFilter(status=",".join(sorted(OPEN))), now, 0, MAX_TASKS)
    return page("home.html", request, {
        "me": me, "rows": present.rows(ctx, cases, now, language(request), _),
        "counts": present.counts(cases, _), "total": total, "shown": len(cases),
        "flash": await sessions(request).pop_flash(me.session.sid)})


@routes.get("/cases/{case_no}", name="case")
async def case_page(request: web.Request) -> web.Response:
    me, _ = request[ME], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case among your tasks."))
    return page("case.html", request, {
        **await case_context(request, sessions(request), me.session, case), "me": me,
        "map_url": present.map_url(case), "actions": forms.offered(me.actor, case),
        "reasons": forms.VOID_REASONS,
        "focus": request.query.get("action", "")})


@routes.post("/cases/{case_no}", name="case_action")
async def case_action(request: web.Request) -> web.Response:
    me, _ = request[ME], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case among your tasks."))
    try:
        form = await read_form(request)
        action = form.fields.get("action", "")
        if action not in forms.FORMS:
            return error_page(request, 400, _("This page does not offer that step."))
        # Photos prove 核实 / 处置 / 核查 / 协办: validated all, stored all, then the step names them.
        evidence = form.photos if action in forms.EVIDENCE else []
        if evidence:
            watermarks.warm(request)  # the pool that stamps them after the answer, started beside the checks'
        photos = await staff.take(runner(request), photo_config(request), case.case_no, me.actor, evidence,
                                  request.config_dict[CASES].clock(), device_position(form.fields)) \
            if evidence else ()
    except DomainError as exc:
        await sessions(request).flash(me.session.sid, f"{_('Please check what you entered.')} ({exc.message})",
                                      "error")
        return see_other(request.app.router["case"].url_for(case_no=case.case_no))
    step = forms.request_of(action, form.fields, photos)
    if action in forms.EVIDENCE:  # no position from the device: a photo's own GPS stands in, marked as such
        step = await staff.placed_by_photo(case.case_no, step)
    answer = await act_and_return(request, sessions(request), me.session, me.actor, case, step,
                                  forms.LABELS[action], _("There is no such case among your tasks."))
    watermarks.start(request, photo_config(request), photos)  # after the answer; pending until then
    return answer


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    await sessions(request).end(request[ME].session.sid)
    response = see_other(request.app.router["login"].url_for())
    response.del_cookie(COOKIE, path="/worker")
    return response


routes.get("/media/{media_id}", name="media")(media.route(ME))
