"""Survey answers that come back by SMS (the provider's uplink): the sender's number → their open survey.

A caller's report is stored under the number the desk typed (``13800138000``, ``+86 138…``), so the
number the provider reports is tried in the forms a desk writes. Anything that does not read as an answer,
or comes from a number with no open survey, is ignored (the resident may be texting something else).
"""

from __future__ import annotations

from collections.abc import Iterable

from intake.cases.context import CaseContext
from intake.errors import IllegalTransition
from intake.store.models_surveys import Survey
from intake.surveys.answers import AlreadyAnswered, Answered, answer
from intake.surveys.parse import MAX_MESSAGE, parse

VIA = "sms"


def number_forms(mobile: str) -> list[str]:
    """``mobile`` as 11 digits (mainland, E.164 given) in the ways a desk writes it."""
    digits = mobile.removeprefix("+86")
    spaced, dashed = f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return [digits, f"+86{digits}", f"86{digits}", f"+86 {digits}", spaced, dashed, f"+86 {spaced}"]


async def answer_text(ctx: CaseContext, mobile: str, text: str, channels: Iterable[str]) -> Answered | None:
    """The answer ``text`` gives to the latest open survey of ``mobile`` (E.164), or None."""
    if not text or len(text) > MAX_MESSAGE:
        return None
    parsed = parse(text)
    if parsed is None or parsed.score is None:
        return None
    now = ctx.clock()
    survey = await Survey.filter(channel__in=list(channels), reporter__in=number_forms(mobile), status="pending",
                                 due_at__lte=now, expires_at__gt=now).order_by("-due_at", "-id").first()
    if survey is None:
        return None
    try:
        return await answer(ctx, survey.case_no, survey.channel, survey.reporter, parsed.score, parsed.comment,
                            via=VIA)
    except (AlreadyAnswered, IllegalTransition):
        return None  # a concurrent answer or a reopening got there first
