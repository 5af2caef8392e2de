"""Surveys follow the case: scheduled when it closes (结案), withdrawn when it is reopened.

Step handlers (listed in :mod:`intake.cases.handlers`) that ``act`` runs inside the step's
transaction, so the survey rows and their outbox messages exist exactly when the closing does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from intake.cases.context import CaseContext
from intake.cases.steps import StepTaken
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, CoReporter, Resident, User
from intake.store.models_surveys import Survey
from notify.types import Notification, Recipient

MAX_RESULT = 200  # characters of the closing note quoted in the question


def group(case_no: str) -> str:
    return f"survey:{case_no}"


def key(survey: Survey, kind: str) -> str:
    """Idempotency key per case, closing round, resident and kind: a survey is never sent twice."""
    return f"survey:{survey.case_no}:{survey.round}:{survey.channel}:{survey.reporter}:{kind}"


async def on_close(step: StepTaken) -> list[Notification]:
    """Step handler (结案): a survey for each resident behind the case (满意度回访)."""
    return await schedule(step.ctx, step.case, step.note, step.co_reporters)


async def on_reopen(step: StepTaken) -> list[Notification]:
    """Step handler (reopen): the earlier round's unanswered surveys are withdrawn."""
    await withdraw(step.ctx, step.case.case_no)
    return []


async def schedule(ctx: CaseContext, case: Case, note: str | None, co: Sequence[CoReporter]) -> list[Notification]:
    """One survey per subscribed resident behind the case; none for anonymous reports."""
    if case.anonymous or case.closed_at is None:
        return []
    people = list(dict.fromkeys([(case.channel, case.reporter), *((c.channel, c.reporter) for c in co)]))
    asked = await _askable(people, ctx.surveys.texted)
    done = set(await Survey.filter(case_no=case.case_no, round=case.reopen_count)
               .values_list("channel", "reporter"))
    fresh = [(ch, ref, lang) for ch, ref, lang in asked if (ch, ref) not in done]
    if not fresh:
        return []
    department = await _department(case)
    closed, now = case.closed_at, ctx.clock()
    due = closed + ctx.surveys.delay
    rows = [Survey(case_no=case.case_no, round=case.reopen_count, channel=ch, reporter=ref, lang=lang,
                   grid_code=case.grid_code, category_code=case.category_code, department=department,
                   assignee_user_id=case.assignee_user_id, month=f"{to_shanghai(closed):%Y-%m}", closed_at=closed,
                   due_at=due, expires_at=due + ctx.surveys.window, created_at=now) for ch, ref, lang in fresh]
    await Survey.bulk_create(rows)
    result = (note or "").strip()[:MAX_RESULT]
    return [message(ctx, row, "survey.request", {"result": result}, not_before=due) for row in rows]


async def withdraw(ctx: CaseContext, case_no: str) -> int:
    """The case was reopened: its open surveys no longer apply, queued ones are stopped."""
    count = await Survey.filter(case_no=case_no, status="pending").update(status="withdrawn")
    if count:
        await ctx.notifier.withdraw(group(case_no))
    return int(count)


def message(ctx: CaseContext, survey: Survey, kind: str, extra: Mapping[str, Any],
            not_before: datetime | None = None) -> Notification:
    found = ctx.taxonomy.catalog.find(survey.category_code) if survey.category_code else None
    payload: dict[str, Any] = {"case_no": survey.case_no, "round": survey.round, "lang": survey.lang,
                               "category": survey.category_code,
                               "category_name": found.name(survey.lang) if found else None, **extra}
    if ctx.surveys.render is not None:
        payload["text"] = ctx.surveys.render(kind, survey.lang, payload)
    return Notification(kind, Recipient("resident", survey.reporter, survey.channel), key(survey, kind),
                        case_no=survey.case_no, payload=payload, created_at=ctx.clock(),
                        group=group(survey.case_no), not_before=not_before)


async def _askable(people: list[tuple[str, str]], texted: frozenset[str]) -> list[tuple[str, str, str]]:
    """(channel, id, language) of the residents we may ask: known to a channel and still subscribed, or
    reached by SMS (``texted``: a caller's number is all we have, asked in Chinese)."""
    if not people:
        return []
    rows = await Resident.filter(external_id__in=[ref for _, ref in people]) \
        .values_list("channel", "external_id", "lang", "subscribed")
    known = {(str(ch), str(ref)): str(lang) for ch, ref, lang, subscribed in rows if subscribed}
    return [(ch, ref, known.get((ch, ref), "zh_CN")) for ch, ref in people if (ch, ref) in known or ch in texted]


async def _department(case: Case) -> str | None:
    """The handling department: the one dispatched to, else the assigned worker's own."""
    if case.assignee_department or case.assignee_user_id is None:
        return case.assignee_department
    code = await User.filter(id=case.assignee_user_id).values_list("department_code", flat=True)
    return str(code[0]) if code and code[0] else None
