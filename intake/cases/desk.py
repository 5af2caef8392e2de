"""The dispatcher's queues: each a filter over the cases the user may read (``scope.read_filter``).

A case may sit in two queues (returned and overdue): each queue answers one question of the desk.
Filters (area, category, severity, channel, reported between two dates) narrow every queue alike.
协办 (help from several units) is not a step of the workflow yet, so there is no queue for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from intake.cases import scope
from intake.cases.model import Actor
from intake.cases.states import OPEN, Status
from intake.sla.deadlines import DEFAULT_LIMIT_HOURS
from intake.store.models import Case, CaseEvent
from intake.store.models_nlp import TriageItem
from intake.tuning.triage import PENDING

QUEUES = ("new", "triage", "dispatch", "returned", "overdue", "supervised", "checking", "extension", "void")
LABELS = {"new": "New reports", "triage": "Triage", "dispatch": "To dispatch", "returned": "Returned",
          "overdue": "Overdue", "supervised": "Supervised (督办)", "checking": "Awaiting check",
          "extension": "Extension requested", "void": "Void requested"}
SEVERITIES = tuple(DEFAULT_LIMIT_HOURS)
# The channels the filter suggests (the admin API may name others; the filter takes any such name).
CHANNELS = ("wechat", "miniprogram", "worker", "open311", "api")
PAGE = 100  # one screen of a queue; the admin API pages further
_OPEN = [str(s) for s in OPEN]


@dataclass(frozen=True, slots=True)
class DeskFilter:
    """What the desk's filter form narrows every queue to; empty means any."""

    category: str = ""  # a leaf code, or two digits for a major class
    severity: str = ""
    area: str = ""  # a grid code prefix: a street, a community or a cell
    channel: str = ""
    since: datetime | None = None  # reported at or after
    until: datetime | None = None  # reported before


def _supervised() -> Q:
    """督办 by a person (an event) or by the SLA sweep (the escalation level), still open."""
    by_people = Subquery(CaseEvent.filter(action="supervise").exclude(role="system").values("case_no"))
    return Q(status__in=_OPEN) & (Q(escalation_level__gt=0) | Q(case_no__in=by_people))


async def _void_requested() -> Q:
    """Open cases whose last word on voiding is a request (a refusal answers it)."""
    asked = Subquery(CaseEvent.filter(action="request_void").values("case_no"))
    candidates = await Case.filter(status__in=_OPEN, case_no__in=asked).values_list("case_no", flat=True)
    rows = await CaseEvent.filter(case_no__in=list(candidates), action__in=["request_void", "deny_void"]) \
        .order_by("case_no", "seq").values_list("case_no", "action")
    last = {str(no): str(action) for no, action in rows}  # the later row of a case wins
    return Q(case_no__in=[no for no, action in last.items() if action == "request_void"])


async def _where(queue: str, now: datetime) -> Q:
    simple = {"new": Q(status=Status.REPORTED), "dispatch": Q(status=Status.REGISTERED),
              "returned": Q(status=Status.RETURNED), "overdue": Q(status__in=_OPEN, deadline_at__lt=now),
              "checking": Q(status__in=[Status.HANDLED, Status.CHECKING]),
              "extension": Q(status__in=_OPEN, extension_request__isnull=False)}
    if queue in simple:
        return simple[queue]
    if queue == "triage":
        held = await TriageItem.filter(status=PENDING).values_list("case_no", flat=True)
        return Q(status=Status.REPORTED, case_no__in=[str(n) for n in held])
    if queue == "supervised":
        return _supervised()
    return await _void_requested()


def _base(actor: Actor, flt: DeskFilter) -> QuerySet[Case]:
    query = Case.filter(scope.read_filter(actor))
    if flt.category:
        query = query.filter(category_code__startswith=flt.category) if len(flt.category) == 2 else \
            query.filter(category_code=flt.category)
    if flt.severity:
        query = query.filter(severity=flt.severity)
    if flt.area:
        query = query.filter(grid_code__startswith=flt.area)
    if flt.channel:
        query = query.filter(channel=flt.channel)
    if flt.since is not None:
        query = query.filter(opened_at__gte=flt.since)
    return query.filter(opened_at__lt=flt.until) if flt.until is not None else query


async def counts(actor: Actor, now: datetime, flt: DeskFilter | None = None) -> dict[str, int]:
    return {q: await _base(actor, flt or DeskFilter()).filter(await _where(q, now)).count() for q in QUEUES}


async def cases(actor: Actor, queue: str, now: datetime, flt: DeskFilter | None = None) -> list[Case]:
    """The queue's cases, the nearest deadline first."""
    where = await _where(queue, now)
    return list(await _base(actor, flt or DeskFilter()).filter(where).order_by("deadline_at", "id").limit(PAGE))

