"""我的网格员: the card a resident sees about the grid worker of their report's cell.

Masked name (the family name and one mark per further character), the WeCom contact when the worker has
one, else the mobile with its middle digits hidden, and the office hours. The cell is that of the
resident's latest open report (else their latest report); None when they have no placed report yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.cases.context import CaseContext
from intake.cases.states import OPEN
from intake.store.models import Case


@dataclass(frozen=True, slots=True)
class WorkerCard:
    name: str
    wecom: str | None
    mobile: str | None
    office_hours: str
    grid: str
    case_no: str


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else "*"


def mask_mobile(phone: str | None) -> str | None:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else None


async def card_for(ctx: CaseContext, channel: str, reporter: str) -> WorkerCard | None:
    mine = Case.filter(channel=channel, reporter=reporter, grid_code__isnull=False)
    case = await mine.filter(status__in=[str(s) for s in OPEN]).order_by("-id").first() \
        or await mine.order_by("-id").first()
    if case is None or case.grid_code is None:
        return None
    worker = await ctx.grid.worker_for(case.grid_code)
    if worker is None:
        return None
    return WorkerCard(name=mask_name(worker.name), wecom=worker.wecom_userid,
                      mobile=None if worker.wecom_userid else mask_mobile(worker.phone),
                      office_hours=ctx.tasks.office_hours, grid=case.grid_code, case_no=case.case_no)
