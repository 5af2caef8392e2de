"""Supervisors' tools: 督办 (``supervise``), 催办 (``urge``), 批示 (``instruct``) and 召回 (``recall``).

Who may take them, and from which states, is the state table (:mod:`intake.cases.states`); which cases is
the actor's scope (their area). Each is an event on the case's chain, so the timeline shows it and the
counts are the events themselves (no counter column to keep in step). Whoever holds the case (a worker or
a department) is told at once through the outbox, like a dispatch's task card.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from intake.cases.states import Status
from intake.errors import Invalid
from intake.store.models import Case, CaseEvent
from notify.types import Notification, Recipient

if TYPE_CHECKING:
    from intake.cases.workflow import Step

MAX_DEADLINE_DAYS = 30  # a 督办 may move the deadline, not park a case for months
# Where a recall may send a case back to, in the order of the road; ``registered`` hands it back to the desk.
RECALL_TO = (Status.REGISTERED, Status.DISPATCHED, Status.HANDLING, Status.HANDLED)
TOOLS = ("supervise", "urge", "instruct", "recall")


def assignee_notices(case: Case, action: str, payload: dict[str, Any]) -> list[Notification]:
    """``case.<action>`` for the worker or department holding the case (nobody when it is unassigned)."""
    seq, out = case.last_seq + 1, []  # the seq of the event this step appends: one message per step
    body = {"category": case.category_code, "grid": case.grid_code, "deadline": case.deadline_at.isoformat(),
            "address": case.address, **payload}
    if case.assignee_user_id is not None:
        who = str(case.assignee_user_id)
        out.append(Notification(f"case.{action}", Recipient("worker", who),
                                f"{case.case_no}:{seq}:{action}:u{who}", case.case_no, body))
    if case.assignee_department:
        dept = case.assignee_department
        out.append(Notification(f"case.{action}", Recipient("department", dept),
                                f"{case.case_no}:{seq}:{action}:{dept}", case.case_no, body))
    return out


def _assignee(case: Case) -> dict[str, Any]:
    return {"user_id": case.assignee_user_id, "department": case.assignee_department}


def _new_deadline(step: Step) -> datetime | None:
    raw = step.request.params.get("deadline")
    if raw is None or raw == "":
        return None
    try:
        deadline = datetime.fromisoformat(str(raw))
    except ValueError:
        raise Invalid("deadline must be an ISO 8601 date and time") from None
    if deadline.tzinfo is None:
        raise Invalid("deadline needs a time zone (e.g. +08:00)")
    if not step.now < deadline <= step.now + timedelta(days=MAX_DEADLINE_DAYS):
        raise Invalid(f"deadline must be in the future and within {MAX_DEADLINE_DAYS} days")
    return deadline


async def supervise(step: Step) -> None:
    """督办: note, optional new deadline; the escalation clock starts again from that deadline."""
    case, deadline = step.case, _new_deadline(step)
    if deadline is not None and case.status == Status.SUSPENDED:
        raise Invalid("a suspended case's deadline moves when it resumes; resume it first to set a new one")
    if deadline is not None:
        step.data.update(previous_deadline=case.deadline_at.isoformat(), deadline=deadline.isoformat())
        case.deadline_at, case.escalation_level = deadline, 0
    await _tell(step)


async def tell_assignee(step: Step) -> None:
    """催办 and 批示: the note goes to whoever holds the case."""
    await _tell(step)


async def _tell(step: Step) -> None:
    step.data["assignee"] = _assignee(step.case)
    step.notices += assignee_notices(step.case, step.request.action,
                                     {"note": step.request.note, "by": step.actor.name, **step.data})


async def recall(step: Step) -> None:
    """召回: back to an earlier step of the road; to ``registered`` the assignee is cleared (told first)."""
    case, raw = step.case, str(step.request.params.get("to") or Status.REGISTERED)
    current = Status(case.status)
    earlier = [s for s in RECALL_TO if RECALL_TO.index(s) < _rank(current)]
    if raw not in earlier:
        raise Invalid(f"a {current} case can be recalled to {', '.join(earlier)}", allowed=[str(s) for s in earlier])
    target = Status(raw)
    case.task_kind = case.task_user_id = None  # a 核查 task belonged to the step the case leaves
    step.data.update(to=str(target), assignee=_assignee(case))
    step.notices += assignee_notices(case, "recall", {"note": step.request.note, "by": step.actor.name,
                                                     "to": str(target)})
    if target is Status.REGISTERED:
        case.assignee_user_id = case.assignee_department = None
        case.extension_request = None  # a pending request belonged to the unit that no longer holds it
    step.to_status = target


def _rank(status: Status) -> int:
    return RECALL_TO.index(status) if status in RECALL_TO else len(RECALL_TO)  # checking ranks after handled


def counts(events: Iterable[CaseEvent]) -> dict[str, int]:
    """How often people supervised, urged, instructed and recalled a case (the SLA sweep's 督办 not included:
    that is ``escalation_level``)."""
    out = dict.fromkeys(TOOLS, 0)
    for e in events:
        if e.action in out and e.role != "system":
            out[e.action] += 1
    return out
