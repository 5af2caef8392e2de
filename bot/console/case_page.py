"""The console's case page: the case, its duplicates, messages and the reporter's other cases, and its steps.

The steps offered are intake's ``allowed_actions`` for the user's role and the case's state, less those
with nothing to answer (no pending extension or void request). A POST calls intake's ``act`` and
redirects back with the outcome in words. A case outside the user's scope is "not found", as in the API.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from aiohttp import web

from bot.console import choices, forms
from bot.console.auth import ME, sessions
from bot.keys import CASES
from bot.web import present
from bot.web.pages import act_and_return, case_context, visible_case
from bot.web.render import error_page, gettext, language, page
from intake.cases import assists, casefile, codispatch
from intake.cases.context import CaseContext
from intake.cases.oversight import RECALL_TO
from intake.cases.states import RULES, Status, allowed_actions
from intake.cases.void import REASONS, pending_request
from intake.cases.workflow import act
from intake.errors import Invalid
from intake.store.models import Case
from intake.store.models_nlp import TriageItem
from notify.mask import mask_text

routes = web.RouteTableDef()
ASSIST_WORDS = {"pending": "Pending", "answered": "Answered", "waived": "Waived"}
VOID_WORDS = {"false_report": "False report (虚报)", "duplicate": "Duplicate (重复)",
              "out_of_area": "Not in this area (不属于本辖区)", "cannot_handle": "Cannot be handled (无法处置)"}


async def offered(case: Case, role: Any) -> list[tuple[str, str]]:
    allowed = set(allowed_actions(Status(case.status), role))
    if not case.extension_request:
        allowed -= {"approve_extension", "deny_extension"}
    if "deny_void" in allowed and await pending_request(case.case_no) is None:
        allowed.discard("deny_void")
    if not assists.pending(case):
        allowed.discard("waive_assist")
    return [(a, label) for a, label in forms.FORMS.items() if a in allowed]


def _categories(ctx: CaseContext, lang: str) -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} {c.name(lang)}") for c in ctx.taxonomy.catalog.leaves()]


async def _reading(ctx: CaseContext, case: Case, lang: str, _: present.Gettext) -> dict[str, Any]:
    """The classifier's top 5 with the words that drove it: the serving model reads the text again (the
    triage row keeps the scores at intake, not the words), in a thread as it is CPU work."""
    triage = await TriageItem.get_or_none(case_no=case.case_no)
    now = await asyncio.to_thread(ctx.classifier.classify, case.description)
    top = [(str(c), float(s)) for c, s in triage.top] if triage else [(t.code, t.score) for t in now.top]
    return {"top": [(present.category_name(ctx, c, lang, _), s) for c, s in top][:5],
            "terms": list(now.terms)[:12], "model": now.model}


@routes.get("/cases/{case_no}", name="case")
async def case_page(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case in your area."))
    lang = language(request)
    actions = await offered(case, me.actor.role)
    names = {a for a, _label in actions}
    return page("case.html", request, {
        **await case_context(request, sessions(request), me.session, case), "me": me,
        **await _reading(ctx, case, lang, _),
        "actions": actions, "void_reasons": [(r, VOID_WORDS[r]) for r in REASONS],
        "recall_to": [str(s) for s in RECALL_TO], "pending_void": await pending_request(case.case_no),
        "workers": await choices.cell_workers(case) if "dispatch" in names else [],
        "departments": await casefile.departments(ctx, case) if names & {"dispatch", "assist"} else [],
        "assists": await choices.assist_rows(case), "assist_words": ASSIST_WORDS,
        "categories": _categories(ctx, lang) if "reclassify" in names else [],
        "duplicates": await casefile.duplicates(ctx, me.actor, case),
        "others": await casefile.reporter_cases(me.actor, case), "messages": await casefile.messages(me.actor, case),
        "noted": {a for a, rule in RULES.items() if rule.needs_note}, "present": present, "mask": mask_text})


@routes.post("/cases/{case_no}", name="case_action")
async def case_action(request: web.Request) -> web.Response:
    me, _ = request[ME], gettext(request)
    case = await visible_case(request, me.actor)
    if case is None:
        return error_page(request, 404, _("There is no such case in your area."))
    form = await request.post()
    action = str(form.get("action", ""))
    if action not in forms.FORMS:
        return error_page(request, 400, _("This page does not offer that step."))
    try:
        step = forms.request(action, form)
        helpers = forms.assist_departments(form) if action == "dispatch" else []
    except Invalid as exc:
        return error_page(request, 400, f"{_('Please check what you entered.')} ({exc.message})")
    # 派遣 with 协办: the lead's dispatch and each helper's sub-task, all or nothing (intake.cases.codispatch)
    perform = partial(codispatch.dispatch_with_assists, departments=helpers) if helpers else act
    return await act_and_return(request, sessions(request), me.session, me.actor, case, step, forms.FORMS[action],
                                _("There is no such case in your area."), perform)
