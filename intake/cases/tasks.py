"""核实 and 核查 as tasks: given to someone when the case enters verifying / checking (or a closed case is
drawn for 抽查), told through the outbox, done with position and photos (:mod:`intake.cases.evidence`).

Separation of duties: whoever took 处置 (``handler_user_id``) never 核查s it, whether the task names them
or not. A task that names a worker or a supervisor is theirs; the desk (admin, dispatcher) may record it
for them. With nobody to give it to (no other worker, no supervisor) the task stays open to any eligible
staff member in scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.cases import evidence
from intake.cases.model import Actor
from intake.cases.states import Role, Status
from intake.errors import Forbidden, IllegalTransition, Invalid
from intake.store.models import Case, User, UserGrid
from notify.types import Notification, Recipient

if TYPE_CHECKING:
    from intake.cases.workflow import Step

TASK_ACTIONS = {"verified": ("verify",), "checked": ("check", "spot_check")}
RESULTS = {"verified": ("confirmed", "unfounded"), "checked": ("pass", "fail")}
_HOLDERS = (Role.WORKER, Role.SUPERVISOR)


async def enter_verify(step: Step) -> None:
    await _assign(step, "verify")


async def enter_check(step: Step) -> None:
    await _assign(step, "check")


async def spot_check(step: Step) -> None:
    """抽查: a closed case is given to a checker again."""
    if step.case.task_kind == "spot_check":
        raise IllegalTransition(f"case {step.case.case_no} already has a re-check pending")
    await _assign(step, "spot_check")


async def _assign(step: Step, kind: str) -> None:
    case, wanted = step.case, step.request.params.get("user_id")
    holder = await _named(wanted, case) if wanted is not None else await _pick(step, kind)
    case.task_kind, case.task_user_id = kind, holder.id if holder else None
    step.data["task"] = {"kind": kind, "user_id": case.task_user_id}
    if holder is not None:
        payload = {"task": kind, "category": case.category_code, "grid": case.grid_code, "address": case.address,
                   "lat": case.lat, "lng": case.lng, "note": step.request.note}
        step.notices.append(Notification(f"case.{kind}_task", Recipient("worker", str(holder.id)),
                                         f"{case.case_no}:{case.last_seq + 1}:{kind}:u{holder.id}",
                                         case.case_no, payload))


async def _named(raw: object, case: Case) -> User:
    user = await User.get_or_none(id=int(str(raw)), active=True)
    if user is None or user.role not in ("worker", "supervisor"):
        raise Invalid("user_id must name an active worker or supervisor")
    if user.id == case.handler_user_id:
        raise Forbidden("the handler of a case may not check it (separation of duties)")
    return user


async def _pick(step: Step, kind: str) -> User | None:
    """The cell's worker on duty (not the handler), else another worker of the cell, else a supervisor."""
    case, ctx = step.case, step.ctx
    by = ctx.tasks.verify_by if kind == "verify" else ctx.tasks.check_by
    if by == "worker" and case.grid_code:
        duty = await ctx.grid.worker_for(case.grid_code)
        if duty is not None and duty.id != case.handler_user_id:
            return duty
        chain = ctx.grid.ancestors(case.grid_code)
        others = await UserGrid.filter(grid_code__in=chain, user__role="worker", user__active=True,
                                       user__on_leave=False).exclude(user_id=case.handler_user_id or 0) \
            .order_by("user_id").values_list("user_id", flat=True)
        if others:
            return await User.get(id=others[0])
    return await _supervisor(step)


async def _supervisor(step: Step) -> User | None:
    grid = step.case.grid_code
    sups = await User.filter(role="supervisor", active=True).exclude(id=step.case.handler_user_id or 0).order_by("id")
    if not sups:
        return None
    links = await UserGrid.filter(user_id__in=[s.id for s in sups]).values_list("user_id", "grid_code")
    areas: dict[int, list[str]] = {}
    for user_id, code in links:
        areas.setdefault(int(user_id), []).append(str(code))
    covering = [s for s in sups if grid and any(grid.startswith(a) for a in areas.get(s.id, []))]
    city_wide = [s for s in sups if s.id not in areas]
    found = covering or city_wide
    return found[0] if found else None


def _result(step: Step) -> str:
    result = str(step.param("result"))
    allowed = RESULTS[step.request.action]
    if result not in allowed:
        raise Invalid(f"result must be one of {', '.join(allowed)}", allowed=list(allowed))
    return result


def _take(step: Step) -> str:
    """Checks common to doing a task; the result asked for."""
    case, actor = step.case, step.actor
    if case.task_kind not in TASK_ACTIONS[step.request.action]:
        raise IllegalTransition(f"case {case.case_no} has no {step.request.action} task pending")
    if step.request.action == "checked" and actor.user_id is not None and actor.user_id == case.handler_user_id:
        raise Forbidden("the handler of a case may not check it (separation of duties)")
    if actor.role in _HOLDERS and case.task_user_id is not None and actor.user_id != case.task_user_id:
        raise Forbidden(f"this task on case {case.case_no} is assigned to someone else")
    result = _result(step)
    evidence.record(step, required=step.ctx.tasks.evidence_required)
    step.data.update(result=result, task=case.task_kind)
    return result


async def verified(step: Step) -> None:
    """核实 done: confirmed or unfounded; the desk then registers or rejects."""
    _take(step)
    step.case.task_kind = step.case.task_user_id = None


async def checked(step: Step) -> None:
    """核查 done: pass closes the case, fail sends it back to handling; a failed 抽查 reopens it."""
    from intake.cases.workflow import reopen  # workflow's table names this module's effects

    case = step.case
    spot, result = case.task_kind == "spot_check", _take(step)
    if result == "fail" and not (step.request.note and step.request.note.strip()):
        raise Invalid("a failed check needs a note saying what is wrong")
    case.task_kind = case.task_user_id = None
    if result == "pass" and not spot:
        step.to_status, case.closed_at = Status.CLOSED, step.now
    elif result == "fail" and spot:
        await reopen(step)
        step.to_status = Status.REGISTERED
    elif result == "fail":
        step.to_status = Status.HANDLING


def involves(actor: Actor, case: Case) -> bool:
    """Whether the case holds a task or a 协办 sub-task for ``actor`` (so they may read and act on it)."""
    if actor.user_id is not None and case.task_user_id == actor.user_id:
        return True
    return any(_is_unit(actor, a) for a in case.assists or [])


def _is_unit(actor: Actor, assist: dict[str, object]) -> bool:
    if assist.get("kind") == "worker":
        return actor.user_id is not None and assist.get("ref") == str(actor.user_id)
    return actor.role is Role.DEPARTMENT and actor.department is not None and assist.get("ref") == actor.department
