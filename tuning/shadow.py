"""The shadow runner: the shadow model and the active one classify the same live cases, off the hot path.

Run from the background loop (and on demand from the admin API): it takes the
cases opened since the shadow version was registered that it has not yet seen,
classifies them with both models in a worker thread and records both answers.
Rules are left out on both sides: the comparison is between models.
"""

from __future__ import annotations

import asyncio

from intake.cases.context import CaseContext
from intake.tuning import registry, shadow
from nlp.types import Classifier, Prediction
from tuning.serving import ServingClassifier


async def run_once(ctx: CaseContext, serving: ServingClassifier) -> int:
    served = serving.shadow
    if served is None:
        return 0
    version = await registry.get(served.version_id)
    cases = await shadow.pending_cases(version)
    if not cases:
        return 0
    texts = [c.description for c in cases]
    active_model = serving.model
    active, shadowed = await asyncio.to_thread(_both, active_model, served.classifier, texts)
    return await shadow.record(served.version_id, cases, active_model.name, active, shadowed, ctx.clock())


def _both(active: Classifier, other: Classifier,
          texts: list[str]) -> tuple[list[tuple[str | None, float]], list[tuple[str | None, float]]]:
    return _pairs(active.classify_many(texts)), _pairs(other.classify_many(texts))


def _pairs(predictions: list[Prediction]) -> list[tuple[str | None, float]]:
    return [(p.code, p.confidence) for p in predictions]
