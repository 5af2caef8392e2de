"""Training data in, trained and evaluated classifiers out: the API of the CLI, the bench and the tuning loop.

Everything here is what the admin tuning loop builds on: keep signatures stable
(the README's classifier section lists them).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nlp import modeldir
from nlp.csvdata import MAX_BYTES, parse_examples, read_examples, read_texts, read_unlabelled
from nlp.linear import LinearClassifier, Progress
from nlp.metrics import evaluate, thresholds_for_precision
from nlp.types import LabelTerms, Prediction

BACKENDS = ("linear", "transformer")


__all__ = ["BACKENDS", "MAX_BYTES", "CrossValidation", "Progress", "TrainResult", "Trainable", "cross_validate",
           "fit_model", "label_seeds", "load_model", "make_classifier", "model_info", "parse_examples", "read_examples",
           "read_texts", "read_unlabelled", "train_and_validate"]


class Trainable(Protocol):
    """What every backend offers: the :class:`nlp.types.Classifier` port plus training and saving."""

    labels: tuple[str, ...]
    metrics: dict[str, Any]
    thresholds: dict[str, float]

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def classify(self, text: str) -> Prediction: ...

    def save(self, directory: Path) -> Path: ...

    def fit(self, texts: Sequence[str], labels: Sequence[str], *, unlabelled: Sequence[str] | None = None,
            seeds: Sequence[tuple[str, str]] = (), progress: Progress | None = None) -> Any: ...

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]: ...


@dataclass(frozen=True)
class CrossValidation:
    metrics: dict[str, Any]
    predicted: list[str | None]
    confidence: list[float]


def label_seeds(labels: Sequence[LabelTerms]) -> list[tuple[str, str]]:
    """Every name and synonym of every label as a (text, label) seed example."""
    return [(term, label.code) for label in labels for term in dict.fromkeys((*label.names, *label.synonyms))
            if term.strip()]


def make_classifier(backend: str, *, checkpoint: Path | None = None, **options: Any) -> Trainable:
    """A fresh, untrained classifier of ``backend`` (the transformer needs a local ``checkpoint``)."""
    if backend == "linear":
        return LinearClassifier(**options)
    if backend == "transformer":
        if checkpoint is None:
            raise ValueError("the transformer backend needs --checkpoint DIR (a local BERT-family model)")
        from nlp.transformer import TransformerClassifier

        return TransformerClassifier(Path(checkpoint), **options)
    raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")


def fit_model(backend: str, texts: Sequence[str], labels: Sequence[str], *, checkpoint: Path | None = None,
              unlabelled: Sequence[str] | None = None, progress: Progress | None = None) -> Trainable:
    """Train ``backend``'s recommended recipe (what ``gridline nlp train`` and ``evaluate`` run)."""
    model = make_classifier(backend, checkpoint=checkpoint)
    model.fit(texts, labels, unlabelled=unlabelled, progress=progress)
    return model


def cross_validate(make: Callable[[], Trainable], texts: Sequence[str], labels: Sequence[str], *, folds: int = 5,
                   seed: int = 0, fit_options: dict[str, Any] | None = None) -> CrossValidation:
    """Stratified k-fold: every prediction comes from a model that never saw that example's label."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels, dtype=object)
    predicted: list[str | None] = [None] * len(y)
    confidence = [0.0] * len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare labels: fewer members than folds
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    for train, test in splits:
        model = make()
        model.fit([texts[i] for i in train], list(y[train]), **(fit_options or {}))
        for i, p in zip(test, model.classify_many([texts[i] for i in test]), strict=True):
            predicted[i], confidence[i] = p.code, p.confidence
    return CrossValidation(evaluate(list(labels), predicted, confidence), predicted, confidence)


@dataclass(frozen=True)
class TrainResult:
    """A model trained on part of the data and judged on the rest (the validation slice)."""

    model: Trainable
    metrics: dict[str, Any]
    thresholds: dict[str, float]
    train_index: list[int]
    validation_index: list[int]
    validation_predictions: list[Prediction]


MIN_VALIDATION = 20  # a smaller slice cannot vouch for a threshold; the model's own cross-validation does


def train_and_validate(texts: Sequence[str], labels: Sequence[str], *, backend: str = "linear",
                       checkpoint: Path | None = None, unlabelled: Sequence[str] | None = None,
                       seeds: Sequence[tuple[str, str]] = (), validation: float = 0.2, target_precision: float = 0.95,
                       seed: int = 0, progress: Progress | None = None,
                       options: dict[str, Any] | None = None) -> TrainResult:
    """What a retrain job needs in one call: split, train, score the held-out slice, pick thresholds.

    The returned model is trained without the validation slice (it is not refitted), so its metrics and
    thresholds describe exactly the model that would be activated.
    """
    texts, labels = list(texts), [str(label) for label in labels]
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    train, held = _split(labels, validation, seed)
    model = make_classifier(backend, checkpoint=checkpoint, **(options or {}))
    model.fit([texts[i] for i in train], [labels[i] for i in train], unlabelled=unlabelled, seeds=seeds,
              progress=progress)
    if not held:
        return TrainResult(model, dict(model.metrics), dict(model.thresholds), train, [], [])
    predictions = model.classify_many([texts[i] for i in held])
    truth, codes = [labels[i] for i in held], [p.code for p in predictions]
    confidence = [p.confidence for p in predictions]
    metrics = evaluate(truth, codes, confidence, labels=sorted(set(labels)))
    thresholds = thresholds_for_precision(truth, codes, confidence, target=target_precision)
    return TrainResult(model, metrics, thresholds, train, held, predictions)


def _split(labels: list[str], share: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified (train, validation) positions; labels seen once always train."""
    counts = {label: labels.count(label) for label in set(labels)}
    pool = [i for i, label in enumerate(labels) if counts[label] >= 2]
    alone = [i for i, label in enumerate(labels) if counts[label] < 2]
    if not 0.0 < share < 1.0 or len(pool) * share < MIN_VALIDATION or len({labels[i] for i in pool}) < 2:
        return list(range(len(labels))), []
    from sklearn.model_selection import train_test_split

    n_held = max(round(len(pool) * share), len({labels[i] for i in pool}))
    train, held = train_test_split(pool, test_size=n_held, random_state=seed,
                                   stratify=[labels[i] for i in pool])
    return sorted([*train, *alone]), sorted(held)


def load_model(directory: Path, *, places: Sequence[str] = ()) -> Trainable:
    """Load any backend's model directory (checked against its meta.json) and warm it up.

    Loading unpickles (linear) or reads torch weights: only directories this server wrote.
    """
    backend = modeldir.backend_of(Path(directory))
    model: Trainable
    if backend == "linear":
        model = LinearClassifier.load(Path(directory), places=places)
    elif backend == "transformer":
        from nlp.transformer import TransformerClassifier

        model = TransformerClassifier.load(Path(directory), places=places)
    else:
        raise ValueError(f"{directory}: unknown backend {backend!r}")
    model.classify("路灯不亮")  # jieba's dictionary and the feature lookups load now, not on a resident's message
    return model


def model_info(directory: Path) -> dict[str, Any]:
    """``meta.json`` of a model directory (what it is, what it was trained on, how good), weights unread."""
    return modeldir.read_meta(Path(directory), modeldir.backend_of(Path(directory)))
