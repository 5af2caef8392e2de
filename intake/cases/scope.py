"""Which cases a staff member may read, and act on: the one rule for the admin API, the workflow and lists.

A case outside the caller's scope answers "not found", never "forbidden": staff must not learn that a
case exists in someone else's area. Residents are not staff: what they may see is in
:mod:`intake.cases.visibility`; the workflow lets them act on their own report (or second another's).
"""

from __future__ import annotations

from tortoise.expressions import Q

from intake.cases import assists, tasks
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden, NotFound
from intake.store.models import Case

# Steps only the assigned worker may take once a case has an assignee.
ASSIGNEE_STEPS = frozenset({"accept", "handle", "return", "request_extension", "request_assist"})


def can_read(actor: Actor, case: Case) -> bool:
    """In the actor's area (see :meth:`Actor.covers`), assigned to them (or to their department), or holding
    a task (核实 / 核查) or a 协办 sub-task for them."""
    return actor.covers(case.grid_code) or actor.holds(case.assignee_user_id, case.assignee_department) \
        or tasks.involves(actor, case)


def check_read(actor: Actor, case: Case) -> None:
    if not can_read(actor, case):
        raise NotFound(f"no case {case.case_no}")


def read_filter(actor: Actor) -> Q:
    """:func:`can_read` as a query filter, for lists."""
    desk = actor.role in (Role.DISPATCHER, Role.SUPERVISOR)
    if actor.role in (Role.ADMIN, Role.SYSTEM) or (desk and not actor.grids):
        return Q()
    if actor.role is Role.DEPARTMENT:  # a department sees the cases dispatched to it or that it helps (协办)
        if not actor.department:
            return Q(id=-1)
        return Q(assignee_department=actor.department) \
            | Q(assist_units__contains=assists.unit_key("department", actor.department))
    grids = Q(*(Q(grid_code__startswith=g) for g in actor.grids), join_type="OR") if actor.grids else Q(id=-1)
    if desk:
        # Unplaced cases need a human to place them: every dispatcher's queue shows them (as Actor.covers allows).
        grids |= Q(grid_code__isnull=True)
    if actor.user_id is None:
        return grids
    return grids | Q(assignee_user_id=actor.user_id) | Q(task_user_id=actor.user_id) \
        | Q(assist_units__contains=assists.unit_key("worker", str(actor.user_id)))


def check_act(actor: Actor, case: Case, action: str) -> None:
    """May ``actor`` take ``action`` on ``case`` at all (whether the step is legal now is :mod:`states`' call)."""
    if actor.role is Role.RESIDENT:
        if action == "second":
            return  # seconding (附议) is acting on someone else's report by design
        if actor.as_resident() != (case.channel, case.reporter):
            raise NotFound(f"no case {case.case_no}")  # never confirm that someone else's case exists
        return
    check_read(actor, case)
    if not holder_may(actor, case, action):
        raise Forbidden(f"case {case.case_no} is assigned to someone else")


def holder_may(actor: Actor, case: Case, action: str) -> bool:
    """A department user works only cases its department holds; a worker only unassigned ones or their own."""
    if actor.role not in (Role.WORKER, Role.DEPARTMENT) or action not in ASSIGNEE_STEPS:
        return True
    held_by_other = case.assignee_user_id is not None or actor.role is Role.DEPARTMENT
    return not held_by_other or actor.holds(case.assignee_user_id, case.assignee_department)


def answering_for(actor: Actor, grid_code: str) -> int:
    """The user id that answers for a grid (an alert acknowledgement): a staff user whose area holds it
    (a worker needs cells of their own); :class:`Forbidden` for anyone else."""
    if actor.user_id is None or not actor.covers(grid_code) or (actor.role is Role.WORKER and not actor.grids):
        raise Forbidden("only staff answering for this grid can acknowledge for it")
    return actor.user_id
