"""Which features follow which case step: the one table :func:`intake.cases.workflow.act` reads.

Like a message bus's event-handler table: ``EVERY_STEP`` runs after any step, then
``HANDLERS[action]``, in order, inside the step's transaction. A feature that must
react to a step (worker tasks, statistics, supervision …) adds its handler here
instead of editing ``act``. A handler returns the notifications it wants published
and writes its own rows; an exception rolls the whole step back.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from intake.cases import notices
from intake.cases.steps import Handler, StepTaken
from intake.privacy import erase
from intake.surveys import lifecycle as surveys
from intake.tuning import labels
from notify.types import Notification

EVERY_STEP: tuple[Handler, ...] = (
    notices.tell_residents,  # 已受理, 已派遣, 已办结 …: the steps residents hear about
    notices.tell_effect,  # what the step's own effect has to tell (a dispatch's task card)
)
HANDLERS: Mapping[str, tuple[Handler, ...]] = MappingProxyType({
    "close": (labels.on_step, surveys.on_close),  # the category is vouched for; 满意度回访 is scheduled
    "reclassify": (labels.on_step,),  # a triage decision or a correction (改类)
    "reopen": (surveys.on_reopen,),  # the surveys of the earlier round are withdrawn
    "anonymise": (erase.on_anonymise,),  # PIPL: what the resident sent, beside the case row
})


def handlers_for(action: str) -> tuple[Handler, ...]:
    return EVERY_STEP + HANDLERS.get(action, ())


async def handle(step: StepTaken) -> list[Notification]:
    """Run the step's handlers in table order; what they have to tell, in the same order."""
    out: list[Notification] = []
    for handler in handlers_for(step.action):
        out += await handler(step)
    return out
