"""抽查: a random sample of the closed cases of an area and a period, each drawn for a re-check.

Each drawn case takes the ``spot_check`` step (an event on its chain), which gives a 核查 task like
entering ``checking`` does (:mod:`intake.cases.tasks`); ``checked`` then passes it (the case stays closed)
or fails it, which reopens the case. The pool is what the drawer may read (their scope), closed in
``[since, until)``, without a re-check already pending. With a ``seed`` the draw is repeatable (an audit
can redo it); without one it comes from the system's random source.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from intake.cases import scope
from intake.cases.context import CaseContext
from intake.cases.model import ActionRequest, Actor
from intake.cases.states import Status
from intake.cases.workflow import act
from intake.errors import DomainError, Invalid
from intake.store.models import Case

MAX_SAMPLE = 200  # one draw's re-check tasks: a day's work for a street's checkers, not a flood
MAX_POOL = 100_000


@dataclass(frozen=True, slots=True)
class Draw:
    since: datetime
    until: datetime
    area: str | None = None  # a grid code prefix (a street, a community, a cell)
    count: int | None = None
    percent: float | None = None
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Drawn:
    pool: int
    drawn: tuple[str, ...]
    skipped: tuple[str, ...]  # picked, but changed by someone else meanwhile (reopened, re-checked)


def _size(draw: Draw, pool: int) -> int:
    if (draw.count is None) == (draw.percent is None):
        raise Invalid("give either count or percent")
    wanted = draw.count if draw.count is not None else math.ceil(pool * float(draw.percent or 0) / 100)
    return min(wanted, pool, MAX_SAMPLE)


async def draw_sample(ctx: CaseContext, actor: Actor, draw: Draw, note: str | None = None) -> Drawn:
    if not draw.since < draw.until:
        raise Invalid("since must be before until")
    if draw.area is not None and not actor.covers(draw.area):
        raise Invalid("the area must lie inside your own area")
    query = Case.filter(scope.read_filter(actor), status=str(Status.CLOSED), closed_at__gte=draw.since,
                        closed_at__lt=draw.until, task_kind__isnull=True)
    if draw.area:
        query = query.filter(grid_code__startswith=draw.area)
    pool = sorted(await query.limit(MAX_POOL).values_list("case_no", flat=True))
    rng = random.Random(draw.seed) if draw.seed is not None else secrets.SystemRandom()
    picked = rng.sample(pool, _size(draw, len(pool)))
    drawn, skipped = [], []
    for case_no in picked:
        try:
            await act(ctx, str(case_no), actor, ActionRequest("spot_check", note or "抽查", params={}))
            drawn.append(str(case_no))
        except DomainError:
            skipped.append(str(case_no))
    return Drawn(len(pool), tuple(drawn), tuple(skipped))
