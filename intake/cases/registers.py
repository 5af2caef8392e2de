"""The records the workflow keeps beside cases, listed for the desk and 督查: transfers (不属于本辖区) and
requests pushed to the upstream platform. Scoped like cases (:mod:`intake.cases.scope`): a transfer is
seen from the area it left and the area it went to; an upstream request with its case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery

from intake.cases import scope
from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Invalid
from intake.store.models import Case
from intake.store.models_workflow import CaseTransfer, UpstreamRequest

UPSTREAM_STATUSES = ("submitted", "open", "closed")


@dataclass(frozen=True, slots=True)
class Window:
    """One page of a list, and the period it covers (``since`` ≤ at < ``until``)."""

    offset: int
    limit: int
    since: datetime | None = None
    until: datetime | None = None


def _everything(actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (actor.role in (Role.DISPATCHER, Role.SUPERVISOR) and not actor.grids)


async def transfers(actor: Actor, window: Window, *, case_no: str | None = None, to_code: str | None = None,
                    moved: bool | None = None) -> tuple[int, list[CaseTransfer]]:
    """Newest first; ``to_code`` matches the division it went to and every division inside it."""
    query = CaseTransfer.all() if _everything(actor) else CaseTransfer.filter(_area(actor))
    if case_no:
        query = query.filter(case_no=case_no)
    if to_code:
        query = query.filter(to_code__startswith=to_code)
    if moved is not None:
        query = query.filter(moved=moved)
    if window.since:
        query = query.filter(at__gte=window.since)
    if window.until:
        query = query.filter(at__lt=window.until)
    return await query.count(), await query.order_by("-at", "-id").offset(window.offset).limit(window.limit)


def _area(actor: Actor) -> Q:
    if not actor.grids:
        return Q(id=-1)
    mine = [Q(from_grid__startswith=g) | Q(to_code__startswith=g) for g in actor.grids]
    return Q(*mine, join_type="OR")


async def upstream_requests(actor: Actor, window: Window, *, status: str | None = None,
                            case_no: str | None = None, service_code: str | None = None,
                            ) -> tuple[int, list[UpstreamRequest]]:
    """Least recently changed last; ``since`` / ``until`` bound when the request was pushed."""
    if status is not None and status not in UPSTREAM_STATUSES:
        raise Invalid(f"status must be one of {', '.join(UPSTREAM_STATUSES)}")
    query = UpstreamRequest.all()
    if not _everything(actor):  # the cases this actor may read (an orphan row is the admin's to see)
        query = query.filter(case_no__in=Subquery(Case.filter(scope.read_filter(actor)).values("case_no")))
    for name, value in (("status", status), ("case_no", case_no), ("service_code", service_code)):
        if value:
            query = query.filter(**{name: value})
    if window.since:
        query = query.filter(created_at__gte=window.since)
    if window.until:
        query = query.filter(created_at__lt=window.until)
    return await query.count(), await query.order_by("-updated_at", "-id").offset(window.offset).limit(window.limit)

