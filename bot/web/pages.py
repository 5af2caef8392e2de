"""What the worker's case page and the console's case page do alike: find the case, act, report back.

A POST calls intake's ``act`` and redirects back (post/redirect/get) with the outcome as a flash
message; domain errors become words, never a stack of JSON. A case the user may not read is "not
found", as in the API, so a page says nothing about whether it exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.keys import CASES
from bot.web import present
from bot.web.auth import SIGNED_IN
from bot.web.media import photo_rows
from bot.web.render import SITE, error_page, gettext, language, see_other
from bot.web.session import Session, Sessions
from intake.cases import repo, scope
from intake.cases.context import CaseContext
from intake.cases.model import ActionRequest, Actor
from intake.cases.numbers import parse_case_no
from intake.cases.workflow import act
from intake.errors import Conflict, DomainError, Forbidden, IllegalTransition, NotFound
from intake.photos import access
from intake.privacy import reads
from intake.store.models import Case
from notify.mask import mask_text

Perform = Callable[[CaseContext, str, Actor, ActionRequest], Awaitable[Case]]
PAGE_FIELDS = ("description", "address", "photos")  # what a case page shows of the resident (masked)
ERROR_WORDS = {
    IllegalTransition: "This step is not possible in the case's current state.",
    Forbidden: "You may not take this step on this case.",
    Conflict: "Someone else changed this case meanwhile. Please look again and retry.",
}


async def visible_case(request: web.Request, actor: Actor) -> Case | None:
    """The case of the URL when ``actor`` may see it; ``None`` says nothing about whether it exists."""
    return await readable_case(actor, request.match_info["case_no"])


async def readable_case(actor: Actor, raw: str) -> Case | None:
    """The case numbered ``raw`` when ``actor`` may see it, else ``None``."""
    case_no = parse_case_no(raw)
    if case_no is None:
        return None
    try:
        case = await repo.get(case_no)
    except NotFound:
        return None
    return case if scope.can_read(actor, case) else None


async def case_context(request: web.Request, store: Sessions, session: Session, case: Case) -> dict[str, Any]:
    """What both case pages show of a case (masked personal data, SLA light, timeline) and the flash."""
    ctx, _ = request.config_dict[CASES], gettext(request)
    if (me := request.get(SIGNED_IN)) is not None:  # the page shows the resident's words and place
        await reads.record(me.actor, case.case_no, f"{request.config_dict[SITE].root} case page",
                           PAGE_FIELDS, ctx.clock())
    return {
        "case": case, "status_label": present.status_label(case.status, _),
        "category": present.category_name(ctx, case.category_code, language(request), _),
        "description": mask_text(case.description), "address": present.place(ctx, case, _),
        "severity": present.severity(case.severity, _),
        "deadline": present.local_time(case.deadline_at), "light": present.light(ctx, case, ctx.clock()),
        "timeline": present.timeline(await repo.events(case.case_no), _),
        "photos": photo_rows(request.config_dict[SITE].root, await access.of_case(case)),
        "flash": await store.pop_flash(session.sid)}


async def try_act(request: web.Request, actor: Actor, case: Case, step: ActionRequest) -> str | None:
    """Take ``step``; ``None`` when done, else the reason in words (domain errors never escape as a 500)."""
    _ = gettext(request)
    try:
        await act(request.config_dict[CASES], case.case_no, actor, step)
    except NotFound:
        return _("There is no such case in your area.")
    except DomainError as exc:
        return f"{_(ERROR_WORDS.get(type(exc), 'Please check what you entered.'))} ({exc.message})"
    return None


async def act_and_return(request: web.Request, store: Sessions, session: Session, actor: Actor, case: Case,
                         step: ActionRequest, label: str, missing: str, perform: Perform = act) -> web.Response:
    """Take ``step`` on ``case``, flash the outcome (``label`` is the step's msgid) and redirect back to the
    case page; ``missing`` is the 404 page's words should the case be gone meanwhile. ``perform`` is intake's
    ``act`` or a domain action of the same shape that takes more than one step (派遣 with 协办)."""
    _ = gettext(request)
    try:
        await perform(request.config_dict[CASES], case.case_no, actor, step)
    except NotFound:
        return error_page(request, 404, missing)
    except IllegalTransition as exc:  # e.g. a queued step sent after the case moved on: say where it is now
        now = present.status_label((await repo.get(case.case_no)).status, _)
        words = _("The case has moved on (it is now {status}): this step no longer fits.").format(status=now)
        await store.flash(session.sid, f"{words} ({exc.message})", "error")
    except DomainError as exc:
        words = _(ERROR_WORDS.get(type(exc), "Please check what you entered."))
        await store.flash(session.sid, f"{words} ({exc.message})", "error")
    else:
        await store.flash(session.sid, _("Done: {action}").format(action=_(label)), "ok")
    return see_other(request.app.router["case"].url_for(case_no=case.case_no))
