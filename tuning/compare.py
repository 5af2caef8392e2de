"""Two registered versions scored side by side on the registry's held-out slice of labels."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

from intake.cases.context import CaseContext
from intake.errors import Invalid
from intake.tuning import labels, registry
from nlp.metrics import evaluate
from nlp.types import Classifier, Prediction
from tuning.jobs import score
from tuning.loader import ModelCache

# Below REFUSE_N held-out texts two models cannot be told apart at all (one text is 0 % or 100 %);
# below WARN_N a difference of a few points is noise, so the answer says so next to the numbers.
REFUSE_N = 5
WARN_N = 30


async def compare(ctx: CaseContext, cache: ModelCache, a_id: int, b_id: int, holdout_percent: int) -> dict[str, Any]:
    a, b = await registry.get(a_id), await registry.get(b_id)
    data = await labels.training_set(ctx.taxonomy.catalog, holdout_percent)
    n = len(data.holdout_texts)
    if n < REFUSE_N:
        raise Invalid(f"the held-out slice has {n} labelled text(s); comparing needs at least {REFUSE_N} "
                      f"(and {WARN_N} for numbers worth reading): import or collect labels first")
    models = [await _load(v.directory, cache.places) for v in (a, b)]
    texts, truth = data.holdout_texts, data.holdout_labels
    scores, agree, per_class = await asyncio.to_thread(_score_both, models, texts, truth)
    warning = None if n >= WARN_N else (f"only {n} held-out texts: differences between the two models are "
                                        f"likely noise below {WARN_N}; collect more labels before deciding")
    return {"n": n, "warning": warning, "warn_below": WARN_N, "agreement": agree, "per_class": per_class,
            "a": {"id": a.id, "name": a.name, "status": a.status, **scores[0]},
            "b": {"id": b.id, "name": b.name, "status": b.status, **scores[1]}}


async def _load(directory: str, places: tuple[str, ...]) -> Classifier:
    from nlp.training import load_model  # scikit-learn and scipy: imported when first needed, not at start-up

    try:
        return cast(Classifier, await asyncio.to_thread(load_model, Path(directory), places=places))
    except (OSError, ValueError, RuntimeError) as exc:
        raise Invalid(f"cannot load the model in {directory}: {exc}") from None


def _score_both(models: list[Classifier], texts: list[str],
                truth: list[str]) -> tuple[list[dict[str, Any]], float, dict[str, dict[str, float]]]:
    first, second = (m.classify_many(texts) for m in models)
    agree = sum(p.code == q.code for p, q in zip(first, second, strict=True)) / len(texts)
    return [score(m, texts, truth) for m in models], round(agree, 4), _per_class(truth, first, second)


def _per_class(truth: list[str], first: list[Prediction], second: list[Prediction]) -> dict[str, dict[str, float]]:
    """Each true category's F1 under both models and its support: where a new version gains or loses."""
    classes = sorted(set(truth))
    a, b = (evaluate(truth, [p.code for p in ps], [p.confidence for p in ps], labels=classes)["per_class"]
            for ps in (first, second))
    return {c: {"a": round(a[c]["f1"], 4), "b": round(b[c]["f1"], 4), "support": a[c]["support"]} for c in classes}
