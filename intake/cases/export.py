"""The case list as a spreadsheet (CSV or xlsx) for staff: the rows, never the resident's personal data.

No description, address, position or reporter: a file leaves the system and travels by mail and USB sticks,
so an export in itself reads no resident's personal data (PIPL). A list *picked* by a resident's identifier
(``reporter``) or by words of their reports (``text``) does: it says who reported what, or whose words
matched. Then each exported case gets a row in the read log (intake.privacy.reads) naming that field. Rows come
from the database in id-keyed batches, so an export of a whole district keeps memory flat. Every text cell
is defused: a spreadsheet would run a cell starting with ``=`` (or ``+ - @``, tab, CR) as a formula.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.repo import CaseFilter
from intake.privacy import reads
from intake.sla.calendar import SHANGHAI
from intake.sla.light import light

BATCH = 1000
HEADER = ("case_no", "opened_at", "category_code", "category_name", "status", "sla_light", "deadline",
          "grid_code", "street", "assignee_user_id", "assignee_department", "channel")
STREET_DIGITS = 9  # a street's division code (440307011); the cells under it extend it
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates (OWASP's CSV injection advice)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


class Row(NamedTuple):
    """The columns an export row reads (fetched as plain values, not model objects: ten times cheaper)."""

    id: int
    case_no: str
    opened_at: datetime
    category_code: str | None
    status: str
    suspended_at: datetime | None
    deadline_at: datetime
    limit_hours: float
    severity: str
    grid_code: str | None
    assignee_user_id: int | None
    assignee_department: str | None
    channel: str


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def searched(flt: CaseFilter) -> tuple[str, ...]:
    """The resident's personal data a filter picked the cases by (none: the export reads none)."""
    return tuple(name for name, used in (("reporter", flt.reporter), ("description", flt.text)) if used)


class Names:
    """Category and street names by code, looked up once per export."""

    def __init__(self, ctx: CaseContext, lang: str) -> None:
        self.ctx, self.lang = ctx, lang
        self.categories: dict[str, str] = {}
        self.streets: dict[str, str] = {}

    def category(self, code: str | None) -> str:
        if not code:
            return ""
        if code not in self.categories:
            found = self.ctx.taxonomy.catalog.find(code)
            self.categories[code] = found.name(self.lang) if found else ""
        return self.categories[code]

    def street(self, grid_code: str | None) -> str:
        if not grid_code:
            return ""
        code = grid_code[:STREET_DIGITS]
        if code not in self.streets:
            found = self.ctx.grid.index.find(code)
            self.streets[code] = found.name if found else ""
        return self.streets[code]


def row(ctx: CaseContext, case: Row, now: datetime, names: Names) -> list[str]:
    """One case as the export's cells, all text (the header is :data:`HEADER`)."""
    sla = light(ctx.sla, case, now)
    cells = [case.case_no, _local(case.opened_at), case.category_code or "", names.category(case.category_code),
             case.status, str(sla) if sla else "", _local(case.deadline_at), case.grid_code or "",
             names.street(case.grid_code), "" if case.assignee_user_id is None else str(case.assignee_user_id),
             case.assignee_department or "", case.channel]
    return [defuse(c) for c in cells]


async def batches(ctx: CaseContext, actor: Actor, flt: CaseFilter, now: datetime, lang: str = "zh_CN",
                  size: int = BATCH, purpose: str = "case export") -> AsyncIterator[Sequence[list[str]]]:
    """The rows the actor may see, ``size`` at a time, oldest id first (keyset paging: no OFFSET scans);
    a batch picked by personal data is logged as read (``purpose``: which export) before it is handed out."""
    query, fields, names = repo.matching(actor, flt, now), searched(flt), Names(ctx, lang)
    after = 0
    while True:
        values: list[Any] = await (query.filter(id__gt=after).order_by("id").limit(size)
                                   .values_list(*Row._fields))
        if not values:
            return
        cases = [Row(*v) for v in values]
        if fields:
            await reads.record_many(actor, [c.case_no for c in cases], purpose, fields, now)
        yield [row(ctx, c, now, names) for c in cases]
        after = cases[-1].id
        if len(cases) < size:
            return
