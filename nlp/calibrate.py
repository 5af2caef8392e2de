"""Scores → probabilities by temperature scaling, shared by the trained backends.

One temperature for all classes (Guo et al. 2017): ``softmax(scores / T)``, mixed with
a uniform floor ``ε``: ``(1 − ε)·softmax + ε/K``. Neither changes which label wins, only
how sure we say we are. The floor is what held-out errors made with near-certainty cost:
a temperature alone cannot make a margin that was wrong at 0.999 say 0.95 without also
flattening every other answer, and a model trained on a few hundred hand-written examples
meets messages unlike any of them. With no such errors ε stays near 0. Per-class
calibrators (``CalibratedClassifierCV``'s one-vs-rest sigmoids) do change the
winner, and in cross-validation on the real messages that cost about a point of
macro-F1 for no gain in ranking; a single parameter also cannot overfit a few
hundred validation messages.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
# Wide enough for SVM margins (T ≈ 0.1–1) and for logits (T ≈ 1–3).
_LOG_T_BOUNDS = (np.log(0.01), np.log(100.0))


_MAX_FLOOR = 0.5


def softmax(scores: Floats, temperature: float = 1.0, floor: float = 0.0) -> Floats:
    """Row-wise softmax of ``scores / temperature``, mixed with ``floor`` of the uniform distribution."""
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)  # no overflow in exp
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return np.asarray((1.0 - floor) * p + floor / p.shape[1], dtype=np.float64)


def fit_temperature(scores: Floats, truth: NDArray[np.intp]) -> float:
    """Temperature minimising the log loss of held-out ``scores`` against class indices ``truth``."""
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]  # training only: slow import

    rows = np.arange(len(truth))

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))[rows, truth]
        return float(-np.log(np.clip(p, 1e-12, None)).mean())

    best = minimize_scalar(nll, bounds=_LOG_T_BOUNDS, method="bounded")
    return float(np.exp(best.x))


def fit_calibration(scores: Floats, truth: NDArray[np.intp]) -> tuple[float, float]:
    """(temperature, floor) minimising the log loss of held-out ``scores`` against class indices ``truth``."""
    from scipy.optimize import minimize  # training only: slow import

    rows = np.arange(len(truth))

    def nll(params: Floats) -> float:
        p = softmax(scores, float(np.exp(params[0])), float(params[1]))[rows, truth]
        return float(-np.log(np.clip(p, 1e-12, None)).mean())

    start = np.array([np.log(fit_temperature(scores, truth)), 0.0])
    best = minimize(nll, start, method="L-BFGS-B", bounds=[_LOG_T_BOUNDS, (0.0, _MAX_FLOOR)])
    return float(np.exp(best.x[0])), float(best.x[1])
