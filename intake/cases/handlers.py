"""Which features follow which case step: the one table :func:`intake.cases.workflow.act` reads.

Like a message bus's event-handler table: ``EVERY_STEP`` runs after any step, then
``HANDLERS[action]``, in order, inside the step's transaction. A feature that must
react to a step (worker tasks, statistics, supervision …) adds its handler here
instead of editing ``act``. A handler returns the notifications it wants published
and writes its own rows; an exception rolls the whole step back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from intake.cases import notices, outward, transfer
from intake.cases.states import Status
from intake.cases.steps import Handler, StepTaken
from intake.privacy import erase
from intake.surveys import lifecycle as surveys
from intake.tuning import labels
from notify.types import Notification


async def after_checked(step: StepTaken) -> list[Notification]:
    """核查 done: a pass that closed the case is a 结案 for everyone who follows 结案, a failed 抽查 that
    reopened it is a reopen; the step's own effects were told already, so they are not repeated."""
    if step.case.status == Status.CLOSED and step.case.closed_at == step.at:
        return await _as(step, "close")
    if step.case.status == Status.REGISTERED:
        return await _as(step, "reopen")
    return []


async def _as(step: StepTaken, action: str) -> list[Notification]:
    same = replace(step, action=action, notices=())
    out: list[Notification] = []
    for handler in handlers_for(action):
        out += await handler(same)
    return out


EVERY_STEP: tuple[Handler, ...] = (
    notices.tell_residents,  # 已受理, 已派遣, 已办结 …: the steps residents hear about
    notices.tell_effect,  # what the step's own effect has to tell (a dispatch's task card)
    outward.to_upstream,  # a registered case of a mapped category goes to the upstream Open311 platform
    outward.to_subscribers,  # signed webhook events for the subscribers that follow this step
)
HANDLERS: Mapping[str, tuple[Handler, ...]] = MappingProxyType({
    "close": (labels.on_step, surveys.on_close),  # the category is vouched for; 满意度回访 is scheduled
    "reclassify": (labels.on_step,),  # a triage decision or a correction (改类)
    "reopen": (surveys.on_reopen,),  # the surveys of the earlier round are withdrawn
    "checked": (after_checked,),  # a passing 核查 closes, a failed 抽查 reopens (intake.cases.tasks)
    "anonymise": (erase.on_anonymise,),  # PIPL: what the resident sent, beside the case row
    "void": (transfer.record,),  # 不属于本辖区 passed on: the transfer's record
})


def handlers_for(action: str) -> tuple[Handler, ...]:
    return EVERY_STEP + HANDLERS.get(action, ())


async def handle(step: StepTaken) -> list[Notification]:
    """Run the step's handlers in table order; what they have to tell, in the same order."""
    out: list[Notification] = []
    for handler in handlers_for(step.action):
        out += await handler(step)
    return out
