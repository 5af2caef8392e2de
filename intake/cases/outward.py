"""Cases told to systems outside: the upstream city platform (Open311) and webhook subscribers.

Webhook events carry what a step changed (number, step, status, category, grid, deadline, the chain's
hash), never the reporter or the description: a subscriber that needs more asks the API.

Both are outbox rows like any message (written in the step's transaction, retried by the sender),
so a step that commits is pushed, and one that rolls back is not. Which cases go upstream is the
policy's choice: those whose category maps to an upstream ``service_code``, once registered (立案),
pushed once (the row's key is the case). The upstream's answers are recorded by the outbox
(``outbox.upstream``) in ``upstream_requests``; its final answer (closed) is also a step on the case's
timeline (:func:`upstream_closed`, by the system), which never closes the local case: the platform's
办结 is a report, and only the centre's own 核查 ends a case here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from intake.cases import repo
from intake.cases.events import next_event
from intake.cases.model import SYSTEM
from intake.cases.states import Status, check
from intake.cases.steps import StepTaken
from intake.store.models import Case, CaseEvent
from notify.types import Notification, Recipient

UPSTREAM = Recipient("upstream", "platform")
# Steps after which a case may first be registered: open (self-handle auto-dispatch), register,
# dispatch, and reclassify (its category may map only now).
UPSTREAM_STEPS = frozenset({"open", "register", "dispatch", "reclassify"})
NOT_YET = frozenset({Status.REPORTED, Status.VERIFYING})
DESCRIPTION_MAX = 4000


async def to_upstream(step: StepTaken) -> list[Notification]:
    case, services = step.case, step.ctx.outward.upstream
    service = services.get(case.category_code or "")
    if step.action not in UPSTREAM_STEPS or service is None or Status(case.status) in NOT_YET \
            or Status(case.status).is_final:
        return []
    fields = {"service_code": service, "description": case.description[:DESCRIPTION_MAX],
              "address_string": case.address or "", "lat": case.lat, "long": case.lng}
    return [Notification("upstream.request", UPSTREAM, f"upstream:{case.case_no}", case.case_no,
                         {k: v for k, v in fields.items() if v not in (None, "")}, created_at=step.at)]


async def to_subscribers(step: StepTaken) -> list[Notification]:
    """One signed event per subscriber that follows this step (its key: subscriber, case, step, action)."""
    hooks = [name for name, steps in step.ctx.outward.webhooks.items() if step.action in steps or "*" in steps]
    if not hooks:
        return []
    case = step.case
    event = {"event": f"case.{step.action}", "case_no": case.case_no, "seq": case.last_seq, "at": _iso(step.at),
             "status": str(case.status), "category": case.category_code, "grid": case.grid_code,
             "severity": case.severity, "deadline": _iso(case.deadline_at), "department": case.assignee_department,
             "actor_role": str(step.actor.role), "hash": case.last_hash}
    out = []
    for name in hooks:
        key = f"hook:{name}:{case.case_no}:{case.last_seq}:{step.action}"
        out.append(Notification(f"case.{step.action}", Recipient("subscriber", name), key, case.case_no,
                                {"id": key, **event}, created_at=step.at))
    return out


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at is not None else None


UPSTREAM_CLOSED = "upstream closed"  # the timeline's note (shown through the catalogs: 上级平台已办结)
NOTES_MAX = 500


async def upstream_closed(case_no: str, request_id: str, notes: str | None, agency: str | None,
                          now: datetime) -> bool:
    """The platform's 办结 on the case's timeline; False when the case is not stored here. Raises
    ``Conflict`` when the case changed meanwhile (the caller reads the platform again next pass)."""
    case = await Case.get_or_none(case_no=case_no)
    if case is None:
        return False
    if await CaseEvent.exists(case_no=case_no, action="upstream"):
        return True  # told already (a pass that died before saving its row reads the platform again)
    check(Status(case.status), "upstream", SYSTEM.role)
    expected, case.updated_at = case.last_seq, now
    data = {"service_request_id": request_id, "status": "closed", "notes": (notes or "")[:NOTES_MAX],
            "agency": (agency or "")[:NOTES_MAX]}
    event = next_event(case, action="upstream", to_status=case.status, actor=SYSTEM, at=now, note=UPSTREAM_CLOSED,
                       data=data)
    await repo.save_step(case, expected, [event])
    return True
