"""Fitting the linear backend's SVM and its out-of-fold scores, in parallel.

One model on everything plus one per cross-validation fold; the fold models only
score the examples they did not see (for the temperature, metrics and thresholds).
The fits are independent and liblinear releases the GIL, so they run in threads:
with 340 labels one fit on 10,000 messages takes about 15 s on one core, and six
in a row would miss the one-minute training goal. Large sets use 3 folds, not 5.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

if TYPE_CHECKING:  # scikit-learn is imported to train, not to classify (start-up time)
    from sklearn.svm import LinearSVC

Progress = Callable[[int, int, str], None]  # (steps done, steps in all, what is happening)
CV_FOLDS = 5
LARGE = 5000  # examples from which 3 folds are enough (and 5 too slow)
Seeds = tuple[sp.csr_matrix, list[str], float]  # (features, labels, weight of each)


@dataclass(frozen=True)
class Weights:
    """A loaded model's hyperplanes: all that scoring needs of a fitted ``LinearSVC``."""

    coef_: np.ndarray
    intercept_: np.ndarray


def fit_svm(c: float, x: sp.csr_matrix, y: Sequence[str], weights: Sequence[float] | None = None) -> LinearSVC:
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=c, class_weight="balanced").fit(x, np.asarray(y, dtype=object), sample_weight=weights)
    svm.coef_ = svm.coef_.astype(np.float32)  # half the memory and the model file; scores agree to 1e-6
    return svm


def scores(svm: LinearSVC | Weights, x: sp.csr_matrix) -> np.ndarray:
    # x·wᵀ + b by hand: decision_function re-validates its input, a millisecond per message
    out = np.asarray(x @ svm.coef_.T, dtype=np.float64) + svm.intercept_
    return np.column_stack([-out[:, 0], out[:, 0]]) if out.shape[1] == 1 else out  # binary: one column


def coef(svm: LinearSVC | Weights, label: int) -> np.ndarray:
    row = np.asarray(svm.coef_[0] if svm.coef_.shape[0] == 1 else svm.coef_[label])
    return -row if svm.coef_.shape[0] == 1 and label == 0 else row


def fit_with_out_of_fold(c: float, x: sp.csr_matrix, labels: list[str], seeds: Seeds, step: Progress, *,
                         jobs: int | None = None) -> tuple[LinearSVC, np.ndarray | None]:
    """(model on everything, out-of-fold scores or None when no label has two examples).

    Seeds are in every fit and never scored.
    """
    y = np.asarray(labels, dtype=object)
    splits = _splits(y)
    parts: list[np.ndarray | None] = [None, *(train for train, _ in splits)]  # None: all examples
    total, done = len(parts) + 1, 1
    results: dict[int, LinearSVC] = {}
    step(done, total, f"training {len(parts)} models")
    workers = max(1, min(len(parts), jobs or os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(_fit_part, c, x, y, seeds, part): i for i, part in enumerate(parts)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += 1
            step(done, total, "trained the full model" if futures[future] == 0 else
                 f"cross-validation {len(results) - (0 in results)}/{len(splits)}")
    full = results[0]
    if not splits:
        return full, None
    classes = full.classes_
    out = np.zeros((len(y), len(classes)))
    for n, (_, test) in enumerate(splits, start=1):
        fold_scores = scores(results[n], x[test])
        out[test] = fold_scores.min() - 1.0  # a label this fold never saw cannot win
        out[np.ix_(test, np.searchsorted(classes, results[n].classes_))] = fold_scores
    return full, out


def _fit_part(c: float, x: sp.csr_matrix, y: np.ndarray, seeds: Seeds, part: np.ndarray | None) -> Any:
    rows = np.arange(len(y)) if part is None else part
    seed_x, seed_labels, seed_weight = seeds
    return fit_svm(c, sp.vstack([x[rows], seed_x]), [*y[rows], *seed_labels],
                   [1.0] * len(rows) + [seed_weight] * len(seed_labels))


def _splits(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    counts = np.unique(y, return_counts=True)[1]
    folds = min(CV_FOLDS if len(y) < LARGE else 3, int(counts.max()))
    if folds < 2:
        return []
    from sklearn.model_selection import StratifiedKFold

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has only n members": expected
        return list(StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
