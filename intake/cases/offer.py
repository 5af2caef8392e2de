"""What a given person may do next on a given case: the state table's list for their role, less the steps the
case itself rules out for them (separation of duties, tasks given to someone else, 协办 sub-tasks).

Clients (the admin API's ``allowed_actions``, the worker pages' buttons) show this list and nothing else;
the workflow enforces the same rules when the step is taken.
"""

from __future__ import annotations

from intake.cases import assists, scope
from intake.cases.model import Actor
from intake.cases.states import Role, Status, allowed_actions
from intake.store.models import Case

_HOLDERS = (Role.WORKER, Role.SUPERVISOR)


def allowed_for(actor: Actor, case: Case) -> list[str]:
    if actor.role is Role.RESIDENT:
        return []
    return [a for a in allowed_actions(Status(case.status), actor.role) if _fits(actor, case, a)]


def _fits(actor: Actor, case: Case, action: str) -> bool:
    if not scope.holder_may(actor, case, action):
        return False
    if action in ("verified", "checked"):
        return _task_fits(actor, case, action)
    if action == "answer_assist":
        return bool(assists.mine(actor, case))
    if action == "waive_assist":
        return bool(assists.pending(case))
    if action == "handle":
        return not assists.pending(case)
    return True


def _task_fits(actor: Actor, case: Case, action: str) -> bool:
    kinds = ("verify",) if action == "verified" else ("check", "spot_check")
    if case.task_kind not in kinds:
        return False
    if action == "checked" and actor.user_id is not None and actor.user_id == case.handler_user_id:
        return False  # never on a case they handled
    return not (actor.role in _HOLDERS and case.task_user_id is not None and actor.user_id != case.task_user_id)
