"""不属于本辖区: a case voided as out of area is passed on, not dropped.

When the dispatcher names where it belongs (``district``: a division code of 6, 9 or 12 digits):

- a region this deployment's grid holds (another street, community or district served here): the case
  **moves** into that region's queue and stays open. It is placed in the target's cell that holds its
  point (else on the target region itself, for its dispatchers to place), loses its assignee and tasks,
  and waits to be registered (上报 / 核实 stay 上报) or dispatched again (立案); time suspended is given back;
- a region outside it: the case is voided here, and the transfer is on record for the other district
  (``case_transfers``, read by whoever passes cases between platforms).

Either way a row in ``case_transfers`` (written by the void's handler, in the step's transaction) says from
where, to where, who and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.cases.states import Status
from intake.cases.steps import StepTaken
from intake.errors import Invalid
from intake.store.models import CaseEvent
from intake.store.models_workflow import CaseTransfer
from notify.types import Notification

if TYPE_CHECKING:
    from intake.cases.workflow import Step

EARLY = frozenset({Status.REPORTED, Status.VERIFYING})


def _placed_in(step: Step, region: str) -> str:
    """The target's leaf holding the case point, else the target region itself."""
    case, index = step.case, step.ctx.grid.index
    if case.lng is not None and case.lat is not None:
        found = index.locate(case.lng, case.lat)
        if found is not None and found.code.startswith(region) and found.distance_m == 0.0:
            return found.code
    return region


async def transfer(step: Step, district: str) -> None:
    """Move the case into ``district`` when it is served here, else leave it voided; record either."""
    case = step.case
    if case.grid_code and case.grid_code.startswith(district):
        raise Invalid(f"case {case.case_no} is already in {district}")
    moved = district in step.ctx.grid.index
    step.data.update(transfer_to=district, moved=moved, from_grid=case.grid_code)
    if not moved:
        return
    status = Status(case.resume_status or case.status)
    if case.suspended_at is not None:
        case.deadline_at += step.now - case.suspended_at  # time suspended does not count, as on resume
    case.resume_status = case.suspended_at = None
    step.to_status = Status.REPORTED if status in EARLY else Status.REGISTERED
    case.grid_code = _placed_in(step, district)
    step.data["to_grid"] = case.grid_code
    case.assignee_user_id = case.assignee_department = None
    case.task_kind = case.task_user_id = case.handler_user_id = None


async def record(step: StepTaken) -> list[Notification]:
    """The transfer's row, written by the void's handler: inside the step's transaction, with its event."""
    event = await CaseEvent.get_or_none(case_no=step.case.case_no, seq=step.case.last_seq)
    data = event.data if event is not None else {}
    if data.get("transfer_to"):
        await CaseTransfer.create(case_no=step.case.case_no, from_grid=data.get("from_grid"),
                                  to_code=str(data["transfer_to"]), moved=bool(data.get("moved")),
                                  by=step.actor.name[:64], note=step.note, at=step.at)
    return []
