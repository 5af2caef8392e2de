"""Every step after intake: 核实, 立案, 派遣, 处置, 核查, 结案 and the side paths.

``act`` loads the case, asks :mod:`intake.cases.states` whether the step is
legal, applies the step's own effect, appends one event to the chain and
writes both with an optimistic guard, so two people acting at once cannot
both win. What follows a step in other features (labels, surveys, who hears
about it) is :mod:`intake.cases.handlers`' table, run in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from intake.cases import (
    assignment,
    assists,
    evidence,
    handlers,
    notices,
    oversight,
    repo,
    resident_steps,
    scope,
    tasks,
    void,
)
from intake.cases.context import CaseContext
from intake.cases.events import next_event
from intake.cases.model import ActionRequest, Actor
from intake.cases.states import Status, check
from intake.cases.steps import StepTaken
from intake.errors import IllegalTransition, Invalid
from intake.org import departments
from intake.photos import staff as staff_photos
from intake.privacy import erase
from intake.store.models import Case, CoReporter, User
from notify.types import Notification

MAX_NOTE = 2000
MAX_EXTENSION_HOURS = 720


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A step this step takes on another case, in the same transaction: a merge has the merged case's
    reporter second (附议) the case it went into."""

    case: Case
    action: str
    channel: str
    reporter: str
    merged_from: str


@dataclass(slots=True)
class Step:
    """What one action does beyond the status change; effects fill it in."""

    ctx: CaseContext
    case: Case
    actor: Actor
    request: ActionRequest
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)  # the event's data
    to_status: Status | None = None  # where the case goes instead of the rule's target (resume)
    co_reporters: list[CoReporter] = field(default_factory=list)
    also: list[FollowUp] = field(default_factory=list)
    notices: list[Notification] = field(default_factory=list)

    def param(self, name: str) -> Any:
        value = self.request.params.get(name)
        if value is None or value == "":
            raise Invalid(f"{self.request.action} needs {name!r}")
        return value


Effect = Callable[[Step], Awaitable[None]]


async def act(ctx: CaseContext, case_no: str, actor: Actor, request: ActionRequest) -> Case:
    if request.note and len(request.note) > MAX_NOTE:
        raise Invalid(f"note longer than {MAX_NOTE} characters")
    case = await repo.get(case_no)
    scope.check_act(actor, case, request.action)
    target = check(Status(case.status), request.action, actor.role, request.note)
    step = Step(ctx, case, actor, request, ctx.clock())
    before, expected_seq = case.status, case.last_seq
    await EFFECTS.get(request.action, _nothing)(step)
    case.status = str(step.to_status or target)
    case.updated_at = step.now
    if request.attachments and (photos := await staff_photos.evidence(case.case_no, request.attachments)):
        step.data["photos"] = photos  # the originals' SHA-256 and EXIF position/time, in the chain
    event = next_event(case, action=request.action, to_status=case.status, actor=actor, at=step.now,
                       note=request.note, attachments=request.attachments, data=step.data, from_status=before)
    async with in_transaction():  # the step, its follow-ups, its handlers' rows and its outbox rows commit together
        await repo.save_step(case, expected_seq, [event], step.co_reporters)
        for follow in step.also:
            await _follow_up(follow, actor, step.now)
        co = await repo.co_reporters(case.case_no)
        taken = StepTaken(ctx, case, request.action, actor, request.note, step.now, tuple(co), tuple(step.notices))
        await ctx.notifier.publish(await handlers.handle(taken))
    return case


async def _nothing(step: Step) -> None:
    return None


async def _dispatch(step: Step) -> None:
    case, params = step.case, step.request.params
    if params.get("user_id") is not None:
        user = await User.get_or_none(id=int(params["user_id"]), active=True)
        if user is None or user.role != "worker":
            raise Invalid("user_id must name an active worker")
        await assignment.check_worker(step.actor, user.id)
        case.assignee_user_id, case.assignee_department = user.id, None
    elif params.get("department"):  # a department's code, or a line resolved along the case's cell
        chain = step.ctx.grid.ancestors(case.grid_code) if case.grid_code else []
        dept = await departments.resolve(str(params["department"]), chain)
        case.assignee_user_id, case.assignee_department = None, dept.code
    else:
        raise Invalid("dispatch needs 'user_id' or 'department'")
    step.data.update(assignee_user_id=case.assignee_user_id, department=case.assignee_department)
    step.notices += notices.to_worker(case, case.grid_code)


async def _return(step: Step) -> None:
    step.data["previous_assignee"] = step.case.assignee_user_id or step.case.assignee_department
    step.case.assignee_user_id = step.case.assignee_department = None


async def _close(step: Step) -> None:
    step.case.closed_at = step.now
    step.case.task_kind = step.case.task_user_id = None  # the desk closed it: an open 核查 task ends with it


async def _handle(step: Step) -> None:
    """处置: the lead's, once every 协办 sub-task is answered or waived; who handled it never checks it."""
    assists.check_complete(step)
    evidence.record(step, required=False)
    step.case.handler_user_id = step.actor.user_id


async def _redo(step: Step) -> None:
    step.case.task_kind = step.case.task_user_id = None


async def reopen(step: Step) -> None:
    case = step.case
    case.closed_at, case.escalation_level, case.reopen_count = None, 0, case.reopen_count + 1
    case.task_kind = case.task_user_id = None
    case.opened_at = step.now  # the clock starts again for the reopened work
    case.deadline_at = step.ctx.sla.deadline(step.now, case.limit_hours, case.severity)


async def _suspend(step: Step) -> None:
    step.case.resume_status, step.case.suspended_at = step.case.status, step.now


async def _resume(step: Step) -> None:
    case = step.case
    if case.resume_status is None or case.suspended_at is None:
        raise IllegalTransition("case has no state to resume to")
    paused = step.now - case.suspended_at
    case.deadline_at += paused  # time spent suspended does not count against the handler
    step.data["paused_seconds"] = int(paused.total_seconds())
    step.to_status = Status(case.resume_status)
    case.resume_status = case.suspended_at = None


async def _merge(step: Step) -> None:
    target_no = str(step.param("into"))
    if target_no == step.case.case_no:
        raise Invalid("a case cannot be merged into itself")
    target = await repo.get(target_no)
    if Status(target.status).is_final:
        raise IllegalTransition(f"case {target_no} is {target.status}; merge into an open case")
    step.case.merged_into = target_no
    step.data["into"] = target_no
    step.also.append(FollowUp(target, "second", step.case.channel, step.case.reporter, step.case.case_no))


async def _second(step: Step) -> None:
    channel, reporter = str(step.param("channel")), str(step.param("reporter"))
    step.co_reporters.append(CoReporter(case_no=step.case.case_no, channel=channel, reporter=reporter,
                                        created_at=step.now))
    step.data.update(channel=channel, reporter=reporter)


async def _request_extension(step: Step) -> None:
    hours = _hours(step.param("hours"))
    step.case.extension_request = {"hours": hours, "by": step.actor.ref, "at": step.now.isoformat()}
    step.data["hours"] = hours


async def _approve_extension(step: Step) -> None:
    pending = step.case.extension_request
    if not pending:
        raise IllegalTransition("no extension request is pending")
    case = step.case
    case.deadline_at = step.ctx.sla.extend(case.deadline_at, float(pending["hours"]), case.severity)
    case.extension_request, case.escalation_level = None, 0
    step.data.update(hours=pending["hours"], deadline=case.deadline_at.isoformat())


async def _deny_extension(step: Step) -> None:
    if not step.case.extension_request:
        raise IllegalTransition("no extension request is pending")
    step.case.extension_request = None


async def _reclassify(step: Step) -> None:
    catalog = step.ctx.taxonomy.catalog
    code = str(step.param("category"))
    found = catalog.find(code)
    if found is None or not found.is_leaf or found.retired:
        raise Invalid(f"unknown or retired category {code!r}")
    step.data.update(before=step.case.category_code, after=code, taxonomy_version=step.ctx.taxonomy.version)
    step.case.category_code, step.case.taxonomy_version = code, step.ctx.taxonomy.version


def _hours(value: Any) -> float:
    try:
        hours = float(value)
    except (TypeError, ValueError):
        raise Invalid("hours must be a number") from None
    if not 0 < hours <= MAX_EXTENSION_HOURS:
        raise Invalid(f"hours must be in (0, {MAX_EXTENSION_HOURS}]")
    return hours


async def _follow_up(follow: FollowUp, actor: Actor, now: datetime) -> None:
    """A step another step causes on a second case (the target of a merge)."""
    case, expected = follow.case, follow.case.last_seq
    co = [CoReporter(case_no=case.case_no, channel=follow.channel, reporter=follow.reporter, created_at=now)]
    data = {"channel": follow.channel, "reporter": follow.reporter, "merged_from": follow.merged_from}
    event = next_event(case, action=follow.action, to_status=case.status, actor=actor, at=now, data=data)
    case.updated_at = now
    await repo.save_step(case, expected, [event], co)


EFFECTS: dict[str, Effect] = {
    "dispatch": _dispatch, "return": _return, "close": _close, "reopen": reopen, "suspend": _suspend,
    "resume": _resume, "merge": _merge, "second": _second, "request_extension": _request_extension,
    "approve_extension": _approve_extension, "deny_extension": _deny_extension, "reclassify": _reclassify,
    "void": void.void, "request_void": void.request_void, "deny_void": void.deny_void,
    "supervise": oversight.supervise,
    "urge": oversight.tell_assignee, "instruct": oversight.tell_assignee, "recall": oversight.recall,
    "handle": _handle, "redo": _redo, "verify": tasks.enter_verify, "check": tasks.enter_check,
    "verified": tasks.verified, "checked": tasks.checked, "spot_check": tasks.spot_check,
    "request_assist": assists.request_assist, "assist": assists.assist, "answer_assist": assists.answer_assist,
    "waive_assist": assists.waive_assist, "resident_urge": resident_steps.urge, "supplement": resident_steps.supplement,
    "anonymise": erase.anonymise,
}
merge_into = _merge  # the 重复 reason of 作废 merges like ``merge`` does
