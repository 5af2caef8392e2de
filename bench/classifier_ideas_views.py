"""Ideas that combine separate views of a message (issue #17, second round): stacking, co-training and
keyword priors from the label tree. Figures are in ``bench/classifier_ideas.py``'s table."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

Idea = Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
Base = Callable[[Any, np.ndarray, np.ndarray], np.ndarray]  # (setup, train, test) → scores, classes sorted


def _columns(s: Any, words: bool) -> sp.csr_matrix:
    """One view (jieba words or character n-grams), rows unit length again; cached on the setup."""
    from sklearn.preprocessing import normalize

    store: dict[bool, sp.csr_matrix] = s.__dict__.setdefault("views", {})
    if words not in store:
        store[words] = normalize(s.x[:, np.flatnonzero(s.is_word == words)])
    return store[words]


def _svm_on(view: Callable[[Any], sp.csr_matrix]) -> Base:
    def run(s: Any, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        from bench.classifier_ideas import svm

        x = view(s)
        return np.asarray(svm().fit(x[train], s.y[train]).decision_function(x[test]))
    return run


def _logistic(s: Any, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    model = OneVsRestClassifier(LogisticRegression(C=10, solver="liblinear", class_weight="balanced"))
    return np.asarray(model.fit(s.x[train], s.y[train]).decision_function(s.x[test]))


CHARS, WORDS, FULL = _svm_on(lambda s: _columns(s, False)), _svm_on(lambda s: _columns(s, True)), _svm_on(lambda s: s.x)


def stacked(bases: list[Base]) -> Idea:
    """Each base model's margins on held-out inner folds of the training rows teach a multinomial logistic
    regression how far to trust each base per class; at test time the bases are fitted on every training row."""
    def run(s: Any, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        parts = []
        for base in bases:
            scores = np.zeros((len(train), len(np.unique(s.y[train]))))
            for rest, fold in StratifiedKFold(5, shuffle=True, random_state=1).split(train, s.y[train]):
                scores[fold] = base(s, train[rest], train[fold])
            parts.append(scores)
        held = np.hstack(parts)
        meta = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(held, s.y[train])
        return meta.classes_, meta.decision_function(np.hstack([base(s, train, test) for base in bases]))
    return run


def co_training(threshold: float, weight: float, temperature: float = 0.15) -> Idea:
    """Unlabelled messages on which the character view and the word view agree, each at p ≥ ``threshold``
    (softmax of its margins), join the full model's training rows with their agreed label."""
    def run(s: Any, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from scipy.special import softmax  # type: ignore[import-untyped]

        from bench.classifier_ideas import fit, svm

        classes = np.unique(s.y[train])
        p = [softmax(view(s, train, s.unlabelled) / temperature, axis=1) for view in (CHARS, WORDS)]
        sure = np.flatnonzero((p[0].argmax(1) == p[1].argmax(1)) & (np.minimum(p[0].max(1), p[1].max(1)) >= threshold))
        return fit(svm, s, train, test, (s.unlabelled[sure], list(classes[p[0][sure].argmax(1)]), weight))
    return run


def seed_counts(s: Any) -> np.ndarray:
    """Per label, log(1 + how many of its label-tree names, and their parts split at 和/与/及/、, occur in
    the text), unit length."""
    from bench.classifier_data import load_teddy

    store: dict[str, np.ndarray] = s.__dict__.setdefault("dense", {})
    if "seeds" not in store:
        labels = sorted(set(s.y))
        names: dict[str, set[str]] = {label: set() for label in labels}
        for name, label in load_teddy().seeds:
            names[label] |= {part for part in re.split("[和与及、]", name) if len(part) >= 2} | {name}
        patterns = [re.compile("|".join(map(re.escape, sorted(names[label], key=len, reverse=True))))
                    for label in labels]
        counts = np.array([[len(p.findall(t)) for p in patterns] for t in s.prepared], dtype=float)
        store["seeds"] = np.log1p(counts) / np.maximum(np.linalg.norm(np.log1p(counts), axis=1, keepdims=True), 1e-9)
    return store["seeds"]


def ideas() -> dict[str, Idea]:
    from bench.classifier_ideas_dense import appended

    return {
        "stack": stacked([CHARS, WORDS, _logistic]),
        "stack+svm": stacked([CHARS, WORDS, _logistic, FULL]),
        "co-train": co_training(0.8, 0.5),
        "co-train/agree": co_training(0.0, 0.3),
        "seeds": appended(seed_counts, 0.3),
        "seeds/x1": appended(seed_counts, 1.0),
    }
