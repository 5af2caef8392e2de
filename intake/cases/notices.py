"""What each step of a case tells whom, as ``notify`` port messages."""

from __future__ import annotations

from collections.abc import Sequence

from intake.cases.model import resident_ref
from intake.cases.steps import StepTaken
from intake.store.models import Case, CoReporter
from notify.types import Notification, Recipient

# Steps a resident hears about (已受理, 已立案, 已派遣, 处置中, 已办结, 不予立案, 退回 …).
RESIDENT_STEPS = frozenset({"open", "register", "reject", "dispatch", "accept", "handle", "close",
                            "withdraw", "reopen", "merge", "return"})


def _key(case: Case, kind: str, who: str) -> str:
    return f"{case.case_no}:{case.last_seq}:{kind}:{who}"


def to_residents(case: Case, action: str, co: Sequence[CoReporter], note: str | None) -> list[Notification]:
    if action not in RESIDENT_STEPS:
        return []
    people = [(case.channel, case.reporter), *((c.channel, c.reporter) for c in co)]
    payload = {"status": case.status, "action": action, "note": note, "category": case.category_code}
    return [Notification(kind=f"case.{action}", recipient=Recipient("resident", ref, channel),
                         key=_key(case, action, resident_ref(channel, ref)), case_no=case.case_no, payload=payload)
            for channel, ref in dict.fromkeys(people)]


async def tell_residents(step: StepTaken) -> list[Notification]:
    """Step handler (every step): the reporter and co-reporters hear about the steps they follow."""
    return to_residents(step.case, step.action, step.co_reporters, step.note)


async def tell_effect(step: StepTaken) -> list[Notification]:
    """Step handler (every step): what the step's own effect had to tell."""
    return list(step.notices)


def to_worker(case: Case, leaf_group: str | None) -> list[Notification]:
    """A task card for the grid's WeCom group (naming the assignee), else for the assignee alone."""
    payload = {"category": case.category_code, "severity": case.severity, "grid": case.grid_code,
               "deadline": case.deadline_at.isoformat(), "address": case.address, "photos": len(case.photos),
               "lat": case.lat, "lng": case.lng, "assignee_user_id": case.assignee_user_id}
    out = []
    if case.assignee_user_id is not None and not leaf_group:  # the group card already names the assignee
        out.append(Notification("case.task", Recipient("worker", str(case.assignee_user_id)),
                                _key(case, "task", f"u{case.assignee_user_id}"), case.case_no, payload))
    if case.assignee_department:
        out.append(Notification("case.task", Recipient("department", case.assignee_department),
                                _key(case, "task", case.assignee_department), case.case_no, payload))
    if leaf_group:
        out.append(Notification("case.task", Recipient("grid_group", leaf_group),
                                _key(case, "task", leaf_group), case.case_no, payload))
    return out


def overdue(case: Case, level: int, region: str | None) -> list[Notification]:
    """督办 to the handler and, from level 2, escalation to the region above."""
    payload = {"level": level, "deadline": case.deadline_at.isoformat(), "grid": case.grid_code}
    out = [Notification("case.overdue", Recipient("supervisor", case.grid_code or "unplaced"),
                        f"{case.case_no}:overdue:{level}:{case.deadline_at.isoformat()}", case.case_no, payload)]
    if case.assignee_user_id is not None:
        out.append(Notification("case.overdue", Recipient("worker", str(case.assignee_user_id)),
                                f"{case.case_no}:overdue-w:{level}:{case.deadline_at.isoformat()}",
                                case.case_no, payload))
    if level >= 2 and region:
        out.append(Notification("case.escalated", Recipient("supervisor", region),
                                f"{case.case_no}:escalated:{level}", case.case_no, payload))
    return out
