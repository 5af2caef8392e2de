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

from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.model import Actor
from intake.cases.repo import CaseFilter
from intake.privacy import reads
from intake.sla.calendar import SHANGHAI
from intake.sla.light import state as sla_state
from intake.store.models import Case

BATCH = 1000
HEADER = ("case_no", "opened_at", "category_code", "category_name", "status", "sla_light", "deadline",
          "grid_code", "street", "assignee_user_id", "assignee_department", "channel")
STREET_DIGITS = 9  # a street's division code (440307011); the cells under it extend it
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates (OWASP's CSV injection advice)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def searched(flt: CaseFilter) -> tuple[str, ...]:
    """The resident's personal data a filter picked the cases by (none: the export reads none)."""
    return tuple(name for name, used in (("reporter", flt.reporter), ("description", flt.text)) if used)


def row(ctx: CaseContext, case: Case, now: datetime, lang: str = "zh_CN") -> list[str]:
    """One case as the export's cells, all text (the header is :data:`HEADER`)."""
    category = ctx.taxonomy.catalog.find(case.category_code) if case.category_code else None
    street = ctx.grid.index.find(case.grid_code[:STREET_DIGITS]) if case.grid_code else None
    light = sla_state(ctx.sla, case, now).light
    cells = [case.case_no, _local(case.opened_at), case.category_code or "",
             category.name(lang) if category else "", case.status, str(light) if light else "",
             _local(case.deadline_at), case.grid_code or "", street.name if street else "",
             "" if case.assignee_user_id is None else str(case.assignee_user_id),
             case.assignee_department or "", case.channel]
    return [defuse(c) for c in cells]


async def batches(ctx: CaseContext, actor: Actor, flt: CaseFilter, now: datetime, lang: str = "zh_CN",
                  size: int = BATCH, purpose: str = "case export") -> AsyncIterator[Sequence[list[str]]]:
    """The rows the actor may see, ``size`` at a time, oldest id first (keyset paging: no OFFSET scans);
    a batch picked by personal data is logged as read (``purpose``: which export) before it is handed out."""
    query, fields = repo.matching(actor, flt, now), searched(flt)
    after = 0
    while True:
        cases = await query.filter(id__gt=after).order_by("id").limit(size)
        if not cases:
            return
        if fields:
            await reads.record_many(actor, [c.case_no for c in cases], purpose, fields, now)
        yield [row(ctx, c, now, lang) for c in cases]
        after = cases[-1].id
        if len(cases) < size:
            return
