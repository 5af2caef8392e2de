"""协办: the unit holding a case (the lead) is helped by assisting units, departments or workers.

The lead asks (``request_assist``: an event the dispatcher answers); the dispatcher adds an assisting unit
(``assist``), which gets a sub-task of its own, told through the outbox. The unit answers it
(``answer_assist``: note, photos, position) or the dispatcher waives it (``waive_assist``). The lead's 处置
completes the case only when no sub-task is pending. Sub-tasks live on the case row (``assists``), so scope
checks need no second query; each step is an event on the chain as well. ``assist_units`` lists the units
with an open or answered sub-task, so that their case lists show the case (``scope.read_filter``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake.cases import evidence, tasks
from intake.cases.model import Actor
from intake.errors import Forbidden, IllegalTransition, Invalid
from intake.org import departments
from intake.store.models import Case, User
from notify.types import Notification, Recipient

if TYPE_CHECKING:
    from intake.cases.workflow import Step

MAX_ASSISTS = 10


def pending(case: Case) -> list[dict[str, Any]]:
    return [a for a in case.assists or [] if a.get("status") == "pending"]


# :func:`pending` as a condition on a case row ``c`` (the desk's 协办 queue), per database; a test holds the
# two to the same cases. PostgreSQL's containment reads the JSONB; SQLite walks the array.
PENDING_SQL = {
    "postgres": """c.assists @> '[{"status": "pending"}]'""",
    "sqlite": "EXISTS (SELECT 1 FROM json_each(c.assists) a WHERE json_extract(a.value, '$.status') = 'pending')",
}


def unit_key(kind: str, ref: str) -> str:
    """How a unit is written in ``Case.assist_units`` (and looked for by ``scope.read_filter``)."""
    return f" {kind}:{ref} "


def units(assists: list[dict[str, Any]] | None) -> str | None:
    """The units whose sub-task is open or answered (a waived one no longer lists the case for them)."""
    found = [f"{a['kind']}:{a['ref']}" for a in assists or [] if a.get("status") in ("pending", "answered")]
    return f" {' '.join(dict.fromkeys(found))} " if found else None


def _set(case: Case, assists: list[dict[str, Any]]) -> None:
    case.assists, case.assist_units = assists, units(assists)


def mine(actor: Actor, case: Case) -> list[dict[str, Any]]:
    """The pending sub-tasks ``actor`` answers for."""
    return [a for a in pending(case) if tasks._is_unit(actor, a)]


async def request_assist(step: Step) -> None:
    """申请协办: the lead's request, with what help it needs in the note; the desk decides."""
    step.data["assignee"] = {"user_id": step.case.assignee_user_id, "department": step.case.assignee_department}


async def assist(step: Step) -> None:
    case, params = step.case, step.request.params
    if len(case.assists or []) >= MAX_ASSISTS:
        raise Invalid(f"a case has at most {MAX_ASSISTS} assisting units")
    if case.assignee_user_id is None and not case.assignee_department:
        raise IllegalTransition("a case needs a lead unit before assisting units")
    kind, ref = await _unit(step, params)
    if (kind, ref) in {("worker", str(case.assignee_user_id)), ("department", case.assignee_department)}:
        raise Invalid("the lead unit cannot assist itself")
    if any(a["kind"] == kind and a["ref"] == ref for a in pending(case)):
        raise Invalid(f"{kind} {ref} already has a pending sub-task on this case")
    entry = {"id": len(case.assists or []) + 1, "kind": kind, "ref": ref, "status": "pending", "note": None,
             "photos": [], "requested_by": step.actor.ref, "requested_at": step.now.isoformat(),
             "answered_by": None, "answered_at": None}
    _set(case, [*(case.assists or []), entry])
    step.data["assist"] = entry
    payload = {"assist": entry["id"], "category": case.category_code, "grid": case.grid_code,
               "address": case.address, "deadline": case.deadline_at.isoformat(), "note": step.request.note}
    step.notices.append(Notification("case.assist_task", Recipient(kind, ref),
                                     f"{case.case_no}:{case.last_seq + 1}:assist:{kind}:{ref}", case.case_no, payload))


async def _unit(step: Step, params: dict[str, Any]) -> tuple[str, str]:
    if params.get("user_id") is not None:
        user = await User.get_or_none(id=int(params["user_id"]), active=True)
        if user is None or user.role != "worker":
            raise Invalid("user_id must name an active worker")
        return "worker", str(user.id)
    if params.get("department"):
        chain = step.ctx.grid.ancestors(step.case.grid_code) if step.case.grid_code else []
        dept = await departments.resolve(str(params["department"]), chain)
        return "department", dept.code
    raise Invalid("assist needs 'user_id' or 'department'")


def _pick(step: Step, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    wanted = step.request.params.get("assist")
    if wanted is not None:
        found = [a for a in candidates if str(a["id"]) == str(wanted)]
        if not found:
            raise Invalid(f"no pending sub-task {wanted} for you on this case")
        return found[0]
    if len(candidates) != 1:
        raise Invalid("name the sub-task ('assist': its id)", pending=[a["id"] for a in candidates])
    return candidates[0]


def _replace(case: Case, entry: dict[str, Any]) -> None:
    _set(case, [entry if a["id"] == entry["id"] else a for a in case.assists or []])


async def answer_assist(step: Step) -> None:
    own = mine(step.actor, step.case)
    if not own:
        raise Forbidden(f"case {step.case.case_no} has no pending sub-task for you")
    entry = dict(_pick(step, own))
    evidence.record(step, required=False)
    entry.update(status="answered", note=step.request.note, photos=step.data.get("photos", []),
                 answered_by=step.actor.ref, answered_at=step.now.isoformat())
    _replace(step.case, entry)
    step.data["assist"] = entry
    from intake.cases.oversight import assignee_notices  # the lead hears that help arrived

    step.notices += assignee_notices(step.case, "assist_answered", {"assist": entry["id"], "note": step.request.note,
                                                                    "by": step.actor.name})


async def waive_assist(step: Step) -> None:
    entry = dict(_pick(step, pending(step.case)))
    entry.update(status="waived", note=step.request.note, answered_by=step.actor.ref, answered_at=step.now.isoformat())
    _replace(step.case, entry)
    step.data["assist"] = entry


def check_complete(step: Step) -> None:
    """处置 by the lead: refused while a sub-task is pending."""
    waiting = pending(step.case)
    if waiting:
        raise IllegalTransition("协办 sub-tasks are still pending: each must be answered or waived first",
                                pending=[a["id"] for a in waiting])
