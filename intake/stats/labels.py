"""Names for the keys of a statistics table: a cell's, a worker's, a department's, a category's name.

The keys stay the codes (the API answers codes); pages and exports show the name beside them.
"""

from __future__ import annotations

from collections.abc import Iterable

from intake.cases.context import CaseContext
from intake.stats.report import ReportRow
from intake.store.models import Department, User

# The export's columns (figures as the API names them), after the key and its name.
COLUMNS = ("received", "registered", "closed", "closing_rate", "on_time_rate", "avg_response_hours",
           "p90_response_hours", "avg_handling_hours", "p90_handling_hours", "overdue_now", "supervised",
           "reopen_rate", "void_rate", "satisfaction_rate", "dissatisfaction_rate", "answered", "flagged", "score")


async def labels(ctx: CaseContext, by: str, keys: Iterable[str | None]) -> dict[str, str]:
    present = sorted({k for k in keys if k is not None})
    if by in ("street", "community", "grid"):
        index = ctx.grid.index
        return {k: index.cell(k).name for k in present if k in index}
    if by == "category":
        found = {k: ctx.taxonomy.catalog.find(k) for k in present}
        return {k: c.name_zh for k, c in found.items() if c is not None}
    if by == "worker":
        users = await User.filter(id__in=[int(k) for k in present if k.isdigit()]).values_list("id", "name")
        return {str(i): str(n) for i, n in users}
    if by == "department":
        rows = await Department.filter(code__in=present).values_list("code", "name")
        return {str(c): str(n) for c, n in rows}
    return {}


def cells(row: ReportRow, names: dict[str, str]) -> list[str]:
    """One row as the export's text cells (key, name, then :data:`COLUMNS`)."""
    key = row.figures.key or ""
    values = [row.figure(c) if c in ("score", "satisfaction_rate", "dissatisfaction_rate") else
              getattr(row, c, None) if c in ("answered", "flagged") else getattr(row.figures, c) for c in COLUMNS]
    return [key, names.get(key, ""), *("" if v is None else str(v) for v in values)]
