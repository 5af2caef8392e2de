"""Triage: cases the classifier is not sure enough about wait for a person instead of auto-dispatch.

The rule itself (which threshold a prediction must reach) comes from outside as
``CaseContext.triage``: the composition root builds it from the active model's
validation thresholds. Here: holding a case at intake, the queue, and the
decision, which reclassifies through the workflow (so the event chain records it)
and then routes the case the way intake would have.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from intake.cases import repo, routing
from intake.cases.context import CaseContext
from intake.cases.model import SYSTEM, ActionRequest, Actor, NewReport
from intake.cases.states import Status
from intake.cases.workflow import act
from intake.errors import IllegalTransition, Invalid, NotFound
from intake.store.models import Case
from intake.store.models_nlp import TriageItem
from intake.tuning import labels
from nlp.types import Prediction

PENDING, DECIDED = "pending", "decided"
ORDERS = ("learning", "oldest")


def threshold_missed(ctx: CaseContext, report: NewReport, prediction: Prediction) -> float | None:
    """The threshold the prediction failed to reach, or None when it may be routed automatically."""
    if report.category or ctx.triage is None:
        return None  # the reporter chose the category: nothing to doubt
    return ctx.triage(prediction)


async def enqueue(case: Case, prediction: Prediction, threshold: float, now: datetime) -> TriageItem:
    return await TriageItem.create(
        case_no=case.case_no, predicted=case.category_code, confidence=round(prediction.confidence, 4),
        threshold=round(threshold, 4), model=prediction.model[:64],
        top=[[s.code, round(s.score, 4)] for s in prediction.top], status=PENDING, created_at=now)


def learning_value(top: Sequence[Sequence[Any]]) -> float:
    """How much a person's label would teach the model: 1 − the margin between its two best candidates.

    A case the model splits 0.41/0.39 between two categories is what the next retrain needs; one at 0.7/0.1
    mostly confirms what it knows. Margin, not entropy: with hundreds of labels the tail's mass says little.
    """
    scores = sorted((float(s[1]) for s in top), reverse=True)
    if not scores:
        return 1.0  # nothing predicted: the model knows nothing about this case
    return 1.0 - (scores[0] - (scores[1] if len(scores) > 1 else 0.0))


def learning_order(tops: Sequence[Sequence[Sequence[Any]]]) -> list[int]:
    """Positions ordered by uncertainty × diversity: greedily the highest ``learning_value`` divided by one plus
    how many already chosen share its predicted category, so ten doubts about noise do not crowd out the one
    about a category the model has rarely seen. Ties keep the given (oldest-first) order."""
    by_label: dict[str, list[tuple[float, int]]] = {}
    for i, top in enumerate(tops):
        label = str(top[0][0]) if top else ""
        by_label.setdefault(label, []).append((-learning_value(top), i))
    for items in by_label.values():
        items.sort()
    heads = [(items[0][0], items[0][1], label, 0) for label, items in by_label.items()]
    heapq.heapify(heads)
    order: list[int] = []
    while heads:
        _, i, label, taken = heapq.heappop(heads)
        order.append(i)
        items = by_label[label]
        if taken + 1 < len(items):
            value, j = items[taken + 1]
            heapq.heappush(heads, (value / (taken + 2), j, label, taken + 1))  # value ≤ 0: dividing shrinks it
    return order


async def queue(actor: Actor, offset: int, limit: int,
                order: str = "learning") -> tuple[int, list[tuple[TriageItem, Case]]]:
    """Pending items whose case still waits at 上报 and lies in the actor's scope: in ``learning`` order
    (:func:`learning_order`: what a decision teaches the model most first) or ``oldest`` first."""
    if order not in ORDERS:
        raise Invalid(f"order must be one of {', '.join(ORDERS)}")
    items = await TriageItem.filter(status=PENDING).order_by("id").limit(5000)
    cases = {c.case_no: c for c in await Case.filter(case_no__in=[i.case_no for i in items],
                                                     status=Status.REPORTED)}
    mine = [(i, cases[i.case_no]) for i in items if i.case_no in cases and actor.covers(cases[i.case_no].grid_code)]
    if order == "learning":
        mine = [mine[k] for k in learning_order([item.top for item, _ in mine])]
    return len(mine), mine[offset:offset + limit]


async def decide(ctx: CaseContext, case_no: str, code: str, actor: Actor) -> Case:
    """A person's category for a held case: reclassify if it differs, label it, route it."""
    item = await TriageItem.get_or_none(case_no=case_no)
    case = await repo.get(case_no)
    if item is None or not actor.covers(case.grid_code):
        raise NotFound(f"case {case_no} is not in the triage queue")
    if item.status != PENDING:
        raise IllegalTransition(f"case {case_no} was already triaged", decided=item.decided_code)
    if case.status != Status.REPORTED:
        raise IllegalTransition(f"case {case_no} is {case.status}; it left the triage queue")
    live = labels.live_code(ctx.taxonomy.catalog, code)
    if live is None:
        raise Invalid(f"unknown or retired category {code!r}")
    now = ctx.clock()
    if live != case.category_code:
        # The workflow hook sees the pending item and records the reclassification as the triage label.
        case = await act(ctx, case_no, actor, ActionRequest("reclassify", note="triage", params={"category": live}))
    else:
        await labels.capture(case, live, labels.TRIAGE, actor.ref, now)
        await mark_decided(case_no, live, actor.ref, now)
    return await _route(ctx, case)


async def mark_decided(case_no: str, code: str, actor: str, now: datetime) -> int:
    return int(await TriageItem.filter(case_no=case_no, status=PENDING).update(
        status=DECIDED, decided_code=code, decided_by=actor[:128], decided_at=now))


async def _route(ctx: CaseContext, case: Case) -> Case:
    """What intake does for a confident prediction (:mod:`intake.cases.routing`), now the category is decided."""
    route = await routing.route_for(ctx, case, ctx.taxonomy.catalog.find(case.category_code or ""))
    if route is None:
        return case
    await act(ctx, case.case_no, SYSTEM, ActionRequest("register", note=route.note))
    return await act(ctx, case.case_no, SYSTEM, ActionRequest("dispatch", note=route.note, params=route.params))
