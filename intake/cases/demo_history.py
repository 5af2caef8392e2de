"""A year of demo cases, written through the real intake actions so events and hash chains are real.

Every case is opened with :func:`open_case` and moved with :func:`workflow.act` under a clock this module
advances; overdue cases are supervised by the real SLA sweep, ratings go through the real survey answer
(a dissatisfied one reopens the case). Deterministic for a seed. The history's messages are not sent:
they happened "last year", so the notifier is silent while it is written.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.cases.context import CaseContext
from intake.cases.demo_texts import REPORTS
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.states import Role, Status
from intake.cases.workflow import act
from intake.sla.sweeper import sweep
from intake.store.models import Case, UserGrid
from intake.surveys.answers import answer
from intake.surveys.policy import DISSATISFIED, FAIRLY, SATISFIED
from notify.types import Notification, Withdrawn

DESK = Actor("user:demo-desk", "演示调度员", Role.DISPATCHER)
CHANNEL = "demo"  # the history's residents are not reachable on any real channel
SPAN = timedelta(days=365)
# The fate of a case: an old one was finished (most closed, most of those rated); of the newest
# cases more than half are still open, spread over the stages, so some have overrun their deadline.
DONE_FATES = {"rated": 60, "closed": 22, "reopened": 10, "rejected": 8}
OPEN_FATES = ("handling", "dispatched", "handled", "checking", "registered", "reported")
RECENT = 0.85  # the newest 15 % of the year: three in five of them are still open
ROAD = ("register", "dispatch", "accept", "handle", "check", "close")  # the steps after opening, in order


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


class Silent:
    """Last year's messages were delivered last year: nothing is sent while history is written."""

    async def publish(self, notifications: list[Notification]) -> None:
        return None

    async def withdraw(self, group: str) -> Withdrawn:
        return Withdrawn()


@dataclass(frozen=True, slots=True)
class History:
    cases: int
    statuses: dict[str, int]
    supervised: int


async def write_history(ctx: CaseContext, count: int, end: datetime, seed: int = 16) -> History:
    """``count`` cases opened over the year before ``end``; the newest stay open more often (and overrun)."""
    if not 0 < count <= 100_000:
        raise ValueError("history size must be between 1 and 100000")
    rng, clock = random.Random(seed), _Clock(end - SPAN)
    hctx = dataclasses.replace(ctx, clock=clock, notifier=Silent())
    workers = await _workers()
    leaves = [c.code for c in ctx.grid.index.leaves if c.code in workers]
    done, weights, still_open = list(DONE_FATES), list(DONE_FATES.values()), 0
    for i in range(count):
        clock.now = end - SPAN + SPAN * (i + rng.random()) / count
        if i >= count * RECENT and i % 5 < 3:  # the stages in turn: even a short history has each
            fate, still_open = OPEN_FATES[still_open % len(OPEN_FATES)], still_open + 1
        else:
            fate = rng.choices(done, weights=weights)[0]
        await _one(hctx, clock, rng, rng.choice(leaves), workers, fate, f"r{seed}-{i}")
    clock.now = end
    supervised = (await sweep(hctx)).supervised  # the overdue ones, as the periodic sweep would
    statuses = Counter(str(c) for c in await _statuses(seed))
    return History(count, dict(statuses), supervised)


async def _one(ctx: CaseContext, clock: _Clock, rng: random.Random, leaf: str,
               workers: dict[str, Actor], fate: str, reporter: str) -> None:
    category, text = rng.choice(REPORTS)
    lng, lat = ctx.grid.index.centroid(leaf)
    opened = await open_case(ctx, NewReport(CHANNEL, reporter, text, lng, lat, category=category))
    no, status, worker = opened.case.case_no, opened.case.status, workers[leaf]
    if opened.assignee is not None and opened.assignee.id != worker.user_id:
        # Auto-dispatch followed duty (worker_for), not this map: the case's own assignee takes the steps.
        user = opened.assignee
        worker = Actor(f"user:{user.id}", user.name, Role.WORKER, (leaf,), user.id)
    if fate == "rejected":
        if status == Status.REPORTED:
            clock.advance(rng.uniform(1, 20))
            await act(ctx, no, DESK, ActionRequest("reject", note="经核实不属于本平台受理范围"))
            return
        fate = "closed"  # a self-handle case went straight to its worker: nothing left to reject
    target = "close" if fate in ("rated", "closed", "reopened") else _step_into(fate)
    await _walk(ctx, clock, rng, no, str(status), worker, target)
    if fate == "rated" or fate == "reopened":
        clock.advance(rng.uniform(2, 70))
        score = DISSATISFIED if fate == "reopened" else rng.choice((SATISFIED, SATISFIED, SATISFIED, FAIRLY))
        await answer(ctx, no, CHANNEL, reporter, score, "还是老样子" if score == DISSATISFIED else None, "demo")
    if fate == "reopened":  # the reopened case goes round again and is closed a second time
        await _walk(ctx, clock, rng, no, Status.REGISTERED, worker, "close")


def _step_into(fate: str) -> str | None:
    """The last step a case that stays in ``fate`` takes (None: it stays as it was opened)."""
    into = {"registered": "register", "dispatched": "dispatch", "handling": "accept", "handled": "handle",
            "checking": "check"}
    return into.get(fate)


async def _walk(ctx: CaseContext, clock: _Clock, rng: random.Random, no: str, status: str, worker: Actor,
                target: str | None) -> None:
    """Take the road's steps from where ``status`` stands up to ``target``, some hours apart."""
    if target is None:
        return
    start = {"reported": 0, "registered": 1, "dispatched": 2}.get(status, 0)
    for action in ROAD[start:ROAD.index(target) + 1]:
        clock.advance(rng.uniform(0.5, 30))
        who = worker if action in ("accept", "handle") else DESK
        params = {"user_id": worker.user_id} if action == "dispatch" else {}
        note = "已到现场处理完毕，已拍照留档" if action == "handle" else None
        await act(ctx, no, who, ActionRequest(action, note=note, params=params))


async def _workers() -> dict[str, Actor]:
    """Each responsibility grid's demo worker, as an actor."""
    links = await UserGrid.filter(user__role="worker").prefetch_related("user")
    by_user: dict[int, list[str]] = {}
    for link in links:
        by_user.setdefault(link.user.id, []).append(str(link.grid_code))
    out: dict[str, Actor] = {}
    for link in links:
        grids = tuple(by_user[link.user.id])
        out[str(link.grid_code)] = Actor(f"user:{link.user.id}", link.user.name, Role.WORKER, grids, link.user.id)
    return out


async def _statuses(seed: int) -> list[str]:
    return [str(s) for s in await Case.filter(channel=CHANNEL, reporter__startswith=f"r{seed}-")
            .values_list("status", flat=True)]
