"""A saved case step as the features that follow it see it, and the type of those handlers.

:func:`intake.cases.workflow.act` saves a step, then runs the handlers that
:mod:`intake.cases.handlers` lists for it, inside the step's transaction: what a
handler writes (labels, surveys, its outbox rows) commits or rolls back with the step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.store.models import Case, CoReporter
from notify.types import Notification


@dataclass(frozen=True, slots=True)
class StepTaken:
    """One step, saved: the case as it now is, who took the step and why."""

    ctx: CaseContext
    case: Case
    action: str
    actor: Actor
    note: str | None
    at: datetime
    co_reporters: tuple[CoReporter, ...] = ()  # everyone behind the case now (附议), for who to tell
    notices: tuple[Notification, ...] = ()  # what the step's own effect has to tell (a dispatch's task card)


# What a handler has to tell: act publishes the handlers' notifications together, in table order.
Handler = Callable[[StepTaken], Awaitable[Sequence[Notification]]]
