"""Names beside the codes a statistics row is keyed by: a cell's, a category's, a department's, a worker's.

Rows of the case and survey statistics carry only their key (a grid code, ``06010``, a user id);
a person reads names. One lookup per table for a whole answer, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from intake.cases.context import CaseContext
from intake.store.models import Department, User

GRID_DIMENSIONS = frozenset({"street", "community", "grid"})
WORKER_DIMENSIONS = frozenset({"worker", "assignee"})


async def key_names(ctx: CaseContext, by: str, keys: Iterable[str | None], lang: str = "zh_CN") -> dict[str, str]:
    """``{key: name}`` for the keys that have one (a month is its own name; unknown keys are left out)."""
    wanted = sorted({str(k) for k in keys if k is not None})
    if by in GRID_DIMENSIONS:
        return {k: cell.name for k in wanted if (cell := ctx.grid.index.find(k)) is not None}
    if by == "category":
        return {k: found.name(lang) for k in wanted if (found := ctx.taxonomy.catalog.find(k)) is not None}
    if by == "department":
        return dict(await Department.filter(code__in=wanted).values_list("code", "name"))
    if by in WORKER_DIMENSIONS:
        ids = [int(k) for k in wanted if k.isdigit()]
        return {str(i): name for i, name in await User.filter(id__in=ids).values_list("id", "name")}
    return {}
