"""A resident's own steps on an open report: 催办 (``resident_urge``) and 补充 (``supplement``); 撤件 is ``withdraw``.

催办 is limited to once per ``TaskPolicy.resident_urge_hours`` per case, counted from the chain itself
(each is an event), and the holder of the case is told, like a supervisor's 催办. 补充 adds text and/or a
place to the report as an event: the report as filed stays what the opening event committed to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from intake.cases import evidence, visibility
from intake.cases.oversight import assignee_notices
from intake.cases.states import OPEN
from intake.errors import Invalid, NotFound, TooSoon
from intake.store.models import Case, CaseEvent

if TYPE_CHECKING:
    from intake.cases.workflow import Step

MAX_SUPPLEMENT = 500


async def urge(step: Step) -> None:
    case, hours = step.case, step.ctx.tasks.resident_urge_hours
    earlier = await CaseEvent.filter(case_no=case.case_no, action="resident_urge").order_by("-seq")
    if earlier and step.now - earlier[0].at < timedelta(hours=hours):
        wait = earlier[0].at + timedelta(hours=hours) - step.now
        raise TooSoon(f"催办 at most once every {hours:g} hours", retry_after_s=int(wait.total_seconds()) + 1)
    step.data["count"] = len(earlier) + 1
    step.notices += assignee_notices(case, "resident_urge", {"count": len(earlier) + 1, "by": "resident"})


async def supplement(step: Step) -> None:
    text = str(step.request.params.get("text") or "").strip()
    if len(text) > MAX_SUPPLEMENT or "\x00" in text:
        raise Invalid(f"a supplement is at most {MAX_SUPPLEMENT} characters, without NUL")
    where = evidence.position(step)
    if not text and where is None:
        raise Invalid("补充 needs text or a location")
    if text:
        step.data["text"] = text
    if where is not None:
        step.data.update(lat=where[0], lng=where[1])
    step.notices += assignee_notices(step.case, "supplement", {"text": text or None, "by": "resident"})


def reminders(events: list[CaseEvent]) -> int:
    """How often residents urged the case: shown to staff."""
    return sum(1 for e in events if e.action == "resident_urge")


async def own_case(channel: str, external_id: str, case_no: str | None) -> Case:
    """The resident's own report by number, else their latest open one (a chat command names none)."""
    if case_no:
        case, related = await visibility.visible(case_no, channel, external_id)
        if related is not visibility.Relation.OWN:
            raise NotFound("no such report")
        return case
    latest = await Case.filter(channel=channel, reporter=external_id, status__in=[str(s) for s in OPEN]) \
        .order_by("-id").first()
    if latest is None:
        raise NotFound("no open report")
    return latest
