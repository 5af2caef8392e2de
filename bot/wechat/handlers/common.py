"""Helpers the handlers share: case lines for 我的诉求 and local-time formatting."""

from __future__ import annotations

from datetime import datetime

from bot.wechat.router import Turn
from bot.wechat.texts import CaseLine
from intake.cases.states import Status
from intake.residents import is_open
from intake.sla.calendar import to_shanghai
from intake.store.models import Case


def local_time(moment: datetime) -> str:
    return f"{to_shanghai(moment):%m-%d %H:%M}"


def case_line(turn: Turn, case: Case) -> CaseLine:
    _ = turn.t._
    found = turn.ctx.taxonomy.catalog.find(case.category_code) if case.category_code else None
    category = found.name(turn.t.lang) if found else turn.t.unknown_category()
    status = _(Status(case.status).name.title())
    return CaseLine(case.case_no, category, status, local_time(case.deadline_at) if is_open(case) else None)
