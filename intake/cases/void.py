"""作废: ending a case at any open stage, for one of four reasons, by a dispatcher or a supervisor.

A worker or a department who holds the case asks for it (``request_void``: an event on the timeline
the dispatcher answers by voiding or not). Each reason tells the reporter something different:

- ``false_report`` (虚报): the problem could not be confirmed;
- ``duplicate`` (重复): merged into the case given as ``into`` (its reporter follows that case);
- ``out_of_area`` (不属于本辖区): passed on; ``district`` names where, when known: a region served here
  gets the case in its queue (it stays open), one outside gets a transfer record (:mod:`transfer`);
- ``cannot_handle`` (无法处置): it cannot be handled here, with the reason in the note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.cases import repo
from intake.cases.states import Status
from intake.cases.transfer import transfer
from intake.errors import IllegalTransition, Invalid
from intake.store.models import CaseEvent
from notify.types import Notification, Recipient

if TYPE_CHECKING:
    from intake.cases.workflow import Step

REASONS = ("false_report", "duplicate", "out_of_area", "cannot_handle")


def _reason(step: Step) -> str:
    reason = str(step.param("reason"))
    if reason not in REASONS:
        raise Invalid(f"reason must be one of {', '.join(REASONS)}", allowed=list(REASONS))
    return reason


async def request_void(step: Step) -> None:
    step.data["reason"] = _reason(step)


async def deny_void(step: Step) -> None:
    """The dispatcher refuses a pending request: the case goes on; the timeline tells the holder why."""
    pending = await pending_request(step.case.case_no)
    if pending is None:
        raise IllegalTransition("no void request is pending")
    step.data["reason"] = pending


async def pending_request(case_no: str) -> str | None:
    """The reason of the case's unanswered void request (the last ``request_void`` after any refusal)."""
    last = await CaseEvent.filter(case_no=case_no, action__in=["request_void", "deny_void"]).order_by("-seq").first()
    return str(last.data.get("reason", "")) if last is not None and last.action == "request_void" else None


async def void(step: Step) -> None:
    from intake.cases.workflow import merge_into  # workflow's table names this module's effects

    case, reason = step.case, _reason(step)
    step.data["reason"] = reason
    if reason == "duplicate":
        await merge_into(step)
        step.to_status = Status.MERGED  # a duplicate is a merge: the reporter follows the other case
    elif reason == "out_of_area" and step.request.params.get("district"):
        district = str(step.request.params["district"])
        if not (district.isascii() and district.isdigit() and len(district) in (6, 9, 12)):
            raise Invalid("district must be a division code (6, 9 or 12 digits)")
        await transfer(step, district)  # moved into that region's queue when it is served here, else on record
    if step.to_status is None or step.to_status.is_final:
        case.closed_at = step.now
    payload = {"status": str(step.to_status or Status.VOIDED), "action": "void", "reason": reason,
               "note": step.request.note, "into": case.merged_into, "category": case.category_code}
    people = [(case.channel, case.reporter), *((c.channel, c.reporter) for c in await repo.co_reporters(case.case_no))]
    step.notices += [Notification(f"case.void.{reason}", Recipient("resident", ref, channel),
                                  f"{case.case_no}:{case.last_seq + 1}:void:{channel}:{ref}", case.case_no, payload)
                     for channel, ref in dict.fromkeys(people)]
