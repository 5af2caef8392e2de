"""What both trained backends share: calibrated probabilities → predictions, and the state in ``meta.json``.

A backend turns texts into raw scores (SVM margins, transformer logits); from
there on the steps are the same: one softmax temperature fitted on held-out
scores, the metrics and per-class thresholds on the same predictions, the top
:data:`TOP_K`, and the fields :mod:`nlp.modeldir` writes and reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from nlp.calibrate import fit_calibration, softmax
from nlp.metrics import evaluate, thresholds_for_precision
from nlp.prepare import Prepared
from nlp.severity import severity_of_normalized
from nlp.types import Prediction, Scored

TOP_K = 5
Drivers = Callable[[int, int], tuple[str, ...]]  # (row, predicted column) → the terms behind it


class Calibrated:
    backend: ClassVar[str]

    def __init__(self, version: str | None) -> None:
        self._version = version
        self.labels: tuple[str, ...] = ()
        self.temperature = 1.0
        self.floor = 0.0  # uniform share mixed in (nlp.calibrate); 0 for models saved before it existed
        self.thresholds: dict[str, float] = {}
        self.metrics: dict[str, Any] = {}
        self.data_sha256 = ""

    @property
    def version(self) -> str:
        return self._version or self.data_sha256[:12] or "untrained"

    @property
    def name(self) -> str:
        return f"{self.backend}:{self.version}"

    def classify(self, text: str) -> Prediction:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        raise NotImplementedError

    def _predictions(self, prepared: Sequence[Prepared], raw: np.ndarray, drivers: Drivers | None) -> list[Prediction]:
        probs = softmax(raw, self.temperature, self.floor)
        out = []
        for i, (norm, _, places) in enumerate(prepared):
            order = np.argsort(-probs[i])[:TOP_K]
            top = tuple(Scored(self.labels[j], float(probs[i, j])) for j in order)
            terms = drivers(i, int(order[0])) if drivers is not None else ()
            out.append(Prediction(top[0].code, top[0].score, top, terms, severity_of_normalized(norm), places,
                                  self.name))
        return out

    def _calibrate(self, raw: np.ndarray, truth: Sequence[str]) -> None:
        """Temperature, metrics and thresholds from scores of examples the model did not train on."""
        index = {label: i for i, label in enumerate(self.labels)}
        self.temperature, self.floor = fit_calibration(raw, np.array([index[t] for t in truth]))
        probs = softmax(raw, self.temperature, self.floor)
        predicted, confidence = [self.labels[j] for j in probs.argmax(1)], probs.max(1).tolist()
        # The full confusion matrix of a 340-label taxonomy is 115,000 numbers: reports have it, meta.json not.
        self.metrics = {k: v for k, v in evaluate(truth, predicted, confidence).items() if k != "confusion_matrix"}
        self.thresholds = thresholds_for_precision(truth, predicted, confidence)

    def _meta(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"version": self.version, "labels": list(self.labels), "data_sha256": self.data_sha256,
                "temperature": self.temperature, "floor": self.floor, "thresholds": self.thresholds,
                "metrics": self.metrics, "params": dict(params)}

    def _restore(self, meta: Mapping[str, Any]) -> None:
        self.labels, self.temperature = tuple(meta["labels"]), float(meta["temperature"])
        self.floor = float(meta.get("floor", 0.0))
        self.thresholds, self.metrics = dict(meta["thresholds"]), dict(meta["metrics"])
        self.data_sha256 = meta["data_sha256"]
