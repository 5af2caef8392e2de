"""Where a confident case goes at 立案 without a dispatcher (点对点): the rule intake and triage share.

- A self-handle category (自处清单) goes to the cell's worker on duty.
- A category handled by a department (条线分流) goes to the active department of its line nearest above
  the cell (the district's bureau, or the street's team for street lines), when the centre turned it on
  (``TaskPolicy.auto_dispatch_departments``): a centre whose departments cannot yet act on cases keeps
  them in the dispatcher's queue.
- Anything else, or a line with no active department for the cell, waits in the dispatcher's queue.

"Confident" is decided before this (``CaseContext.triage``: the active model's calibrated per-category
threshold); a held case never gets here until a person has decided its category.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.cases.context import CaseContext
from intake.org import departments
from intake.store.models import Case, Department, User
from intake.taxonomy.catalog import Category, Handler

SELF_HANDLE, LINE = "self-handle list", "line dispatch"  # the automatic 立案's note on the timeline


@dataclass(frozen=True, slots=True)
class Route:
    """Exactly one of ``worker`` or ``department``; ``note`` says why the system dispatched it."""

    note: str
    worker: User | None = None
    department: Department | None = None

    @property
    def params(self) -> dict[str, object]:
        """The dispatch step's parameters, as a dispatcher would give them."""
        if self.worker is not None:
            return {"user_id": self.worker.id}
        return {"department": self.department.code if self.department else ""}


async def route_for(ctx: CaseContext, case: Case, category: Category | None) -> Route | None:
    if category is None or category.retired or case.grid_code is None:
        return None
    if category.self_handle:
        worker = await ctx.grid.worker_for(case.grid_code)
        return Route(SELF_HANDLE, worker=worker) if worker is not None else None
    if category.handler is Handler.DEPARTMENT and category.department and ctx.tasks.auto_dispatch_departments:
        dept = await departments.nearest(category.department, ctx.grid.ancestors(case.grid_code))
        return Route(LINE, department=dept) if dept is not None else None
    return None
