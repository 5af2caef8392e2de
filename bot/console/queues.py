"""The dispatcher's queues: each a filter over the cases the user may read (intake's ``read_filter``).

A case may sit in two queues (returned and overdue): each queue answers one question of the desk.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from intake.cases import scope
from intake.cases.model import Actor
from intake.cases.states import OPEN, Status
from intake.sla.deadlines import DEFAULT_LIMIT_HOURS
from intake.store.models import Case
from intake.store.models_nlp import TriageItem
from intake.tuning.triage import PENDING

QUEUES = ("new", "triage", "returned", "overdue", "checking", "extension")
LABELS = {"new": "New reports", "triage": "Triage", "returned": "Returned", "overdue": "Overdue",
          "checking": "Awaiting check", "extension": "Extension requested"}
SEVERITIES = tuple(DEFAULT_LIMIT_HOURS)
PAGE = 100  # one screen of a queue; the admin API pages further
_OPEN = [str(s) for s in OPEN]


async def _where(queue: str, now: datetime) -> Q:
    if queue == "new":
        return Q(status=Status.REPORTED)
    if queue == "triage":
        held = await TriageItem.filter(status=PENDING).values_list("case_no", flat=True)
        return Q(status=Status.REPORTED, case_no__in=[str(n) for n in held])
    if queue == "returned":
        return Q(status=Status.RETURNED)
    if queue == "overdue":
        return Q(status__in=_OPEN, deadline_at__lt=now)
    if queue == "checking":
        return Q(status__in=[Status.HANDLED, Status.CHECKING])
    return Q(status__in=_OPEN, extension_request__isnull=False)


def _base(actor: Actor, category: str = "", severity: str = "") -> QuerySet[Case]:
    query = Case.filter(scope.read_filter(actor))
    if category:
        query = query.filter(category_code__startswith=category) if len(category) == 2 else \
            query.filter(category_code=category)
    return query.filter(severity=severity) if severity else query


async def counts(actor: Actor, now: datetime) -> dict[str, int]:
    return {q: await _base(actor).filter(await _where(q, now)).count() for q in QUEUES}


async def cases(actor: Actor, queue: str, now: datetime, category: str = "", severity: str = "") -> list[Case]:
    """The queue's cases, the nearest deadline first."""
    where = await _where(queue, now)
    return list(await _base(actor, category, severity).filter(where).order_by("deadline_at", "id").limit(PAGE))
