"""Recording an answer (chat or mini-program alike) and what an unhappy one does.

不满意 on a closed case reopens it once (back to the dispatcher, with the
resident's words as the note, acted by SYSTEM); the next 不满意 on that case
escalates it to the supervisor of its street. ``survey_effects`` is unique per
case and kind, so neither can happen twice, even when two answers race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.model import SYSTEM, ActionRequest
from intake.cases.states import Status
from intake.cases.workflow import act
from intake.errors import Conflict, IllegalTransition, Invalid
from intake.store.models import Case, Rating
from intake.store.models_surveys import Survey, SurveyEffect
from intake.surveys.lifecycle import group
from intake.surveys.parse import MAX_COMMENT
from intake.surveys.policy import DISSATISFIED
from notify.types import Notification, Recipient


class AlreadyAnswered(Conflict):
    code = "already_rated"


@dataclass(frozen=True, slots=True)
class Answered:
    case_no: str
    score: int
    round: int
    effect: str  # "none" | "reopened" | "escalated"


async def open_survey(channel: str, ref: str, now: datetime, case_no: str | None = None) -> Survey | None:
    """The survey this resident was sent and can still answer (the latest, or the one for ``case_no``)."""
    query = Survey.filter(channel=channel, reporter=ref, status="pending", due_at__lte=now, expires_at__gt=now)
    if case_no:
        query = query.filter(case_no=case_no)
    return await query.order_by("-due_at", "-id").first()


async def answer(ctx: CaseContext, case_no: str, channel: str, ref: str, score: int, comment: str | None,
                 via: str) -> Answered:
    """Store the answer for the case's current closing and apply its effect; the case must be closed."""
    if score not in (1, 2, 3):
        raise Invalid("score must be 1, 2 or 3")
    note = (comment or "").strip()[:MAX_COMMENT] or None
    now = ctx.clock()
    async with in_transaction():
        case = await repo.get(case_no)
        if case.status != Status.CLOSED:
            raise IllegalTransition(f"case {case_no} is {case.status}; only a closed case can be rated",
                                    status=case.status)
        try:
            await Rating.create(case_no=case_no, channel=channel, reporter=ref, round=case.reopen_count,
                                score=score, comment=note, created_at=now)
        except IntegrityError:
            raise AlreadyAnswered(f"case {case_no} was already rated") from None
        early = await Survey.filter(case_no=case_no, round=case.reopen_count, channel=channel, reporter=ref,
                                    status="pending", due_at__gt=now).exists()
        await Survey.filter(case_no=case_no, round=case.reopen_count, channel=channel, reporter=ref,
                            status="pending").update(status="answered", answered_at=now, via=via)
        effect = await _effect(ctx, case, channel, ref, note, now) if score == DISSATISFIED else "none"
        if early and effect == "none":
            await _stop_unsent(ctx, case)
    return Answered(case_no, score, case.reopen_count, effect)


async def _effect(ctx: CaseContext, case: Case, channel: str, ref: str, note: str | None, now: datetime) -> str:
    done = {e.kind for e in await SurveyEffect.filter(case_no=case.case_no)}
    if "escalate" in done:
        return "none"
    kind = "escalate" if "reopen" in done else "reopen"
    target = _supervisor(ctx, case.grid_code) if kind == "escalate" else None
    await SurveyEffect.create(case_no=case.case_no, kind=kind, round=case.reopen_count, channel=channel,
                              reporter=ref, comment=note, target=target, created_at=now)
    if kind == "reopen":
        words = f"回访不满意：{note}" if note else "回访不满意"
        await act(ctx, case.case_no, SYSTEM, ActionRequest("reopen", note=words))
        return "reopened"
    payload = {"case_no": case.case_no, "round": case.reopen_count, "grid": case.grid_code,
               "category": case.category_code, "comment": note, "reopened_before": True}
    await ctx.notifier.publish([Notification(
        "survey.escalated", Recipient("supervisor", target or "unplaced"), f"survey:{case.case_no}:escalate",
        case_no=case.case_no, payload=payload, created_at=now, urgent=False)])
    return "escalated"


def _supervisor(ctx: CaseContext, grid_code: str | None) -> str | None:
    """The street above the case's grid (its supervisor), else the grid itself."""
    if grid_code is None or grid_code not in ctx.grid.index:
        return grid_code
    chain = [c.code for c in ctx.grid.index.chain(grid_code)]
    return chain[1] if len(chain) > 1 else grid_code


async def _stop_unsent(ctx: CaseContext, case: Case) -> None:
    """Answered before the question went out: stop it, unless someone else's question is still to come."""
    waiting = await Survey.filter(case_no=case.case_no, round=case.reopen_count, status="pending").exists()
    if not waiting:
        await ctx.notifier.withdraw(group(case.case_no))
