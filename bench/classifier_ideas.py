"""Ideas for the linear classifier, each judged on representative messages (issue #17).

Two protocols over ``../shared/data/teddy2020c`` (read its PROVENANCE.md):

* ``dev``   — trained on the 446-message sample, scored on the 400 representative dev messages;
* ``devcv`` — trained on the 446 plus 4/5 of dev, scored on the other 1/5 (5 stratified folds over dev):
  the closest stand-in for the shipped use, trained on all 846 and scored on unseen real messages,
  with every scored message drawn like real traffic.

To try many ideas on 2 shared cores, the recipe's features (:class:`nlp.features.TextFeatures`) are built
once over every text, labelled and not (dev text thus shapes the vocabulary and IDF, never the labels);
``bench/classifier.py`` measures the shipped pipeline end to end. On 400 messages a macro-F1 difference
under about 0.015 is noise (a handful of messages).

Measured Dec 2026 (2 shared cores; ``linear`` is ``gridline nlp evaluate``'s recipe):

==========================================  =====  =====  =========
idea                                        dev    devcv  devcv acc
==========================================  =====  =====  =========
linear: SVM C=1, balanced (the recipe)      0.736  0.832  0.840
SVM without class balancing                 0.706  0.840  0.848
SVM C=0.5                                   0.742  0.829  0.838
complement NB α=0.1 / 0.01 / 0.003          0.709 / 0.748 / 0.742   0.788 / 0.820 / 0.815
SVM + complement NB (z-scored sum)          0.728  0.831  0.838
SVM + ½ complement NB                       0.730  0.836  0.843
self-training p ≥ 0.9, weight 0.5           0.724  0.825  0.840
reply departments as weak labels w=0.3      0.759  0.828  0.840
head (first sentence) weight 2              0.690  0.812  0.818
==========================================  =====  =====  =========

Run: ``.venv/bin/python bench/classifier_ideas.py [--ideas a,b]`` (``--list`` names them).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classifier_data import DATA, department_labels, load_teddy
from nlp.features import TextFeatures
from nlp.prepare import Preparer

Scores = tuple[np.ndarray, np.ndarray]  # (classes, scores: one row per scored message)


class Setup:
    """Features of every text (labelled sample, dev, unlabelled) and who is who."""

    def __init__(self, head_weight: float = 1.0) -> None:
        data = load_teddy()
        prepare = Preparer(())
        texts = data.texts + data.dev_texts + data.unlabelled
        self.x = TextFeatures(head_weight=head_weight).fit_transform([prepare(t)[1] for t in texts])
        n, d = len(data.texts), len(data.dev_texts)
        self.y = np.asarray(data.labels + data.dev_labels, dtype=object)
        self.sample, self.dev = np.arange(n), np.arange(n, n + d)
        self.unlabelled = np.arange(n + d, len(texts))
        where = {t: i for i, t in enumerate(data.unlabelled)}
        weak = [(self.unlabelled[where[t]], label) for t, label in department_labels(data.replies) if t in where]
        self.weak_rows = np.asarray([i for i, _ in weak], dtype=np.int64)
        self.weak_labels = [label for _, label in weak]


def svm(c: float = 1.0, balanced: bool = True) -> Any:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=c, class_weight="balanced" if balanced else None)


def cnb(alpha: float) -> Any:
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=alpha)


def fit(make: Callable[[], Any], s: Setup, train: np.ndarray, test: np.ndarray,
        extra: tuple[np.ndarray, Sequence[str], float] | None = None) -> Scores:
    """Fit on ``train`` rows (plus ``extra`` rows with their labels and weight), score ``test`` rows."""
    x, y, w = s.x[train], list(s.y[train]), [1.0] * len(train)
    if extra is not None and len(extra[0]):
        x = sp.vstack([x, s.x[extra[0]]])
        y, w = y + list(extra[1]), w + [extra[2]] * len(extra[0])
    model = make().fit(x, np.asarray(y, dtype=object), sample_weight=np.asarray(w))
    out = model.decision_function(s.x[test]) if hasattr(model, "decision_function") else \
        model.predict_log_proba(s.x[test])
    return model.classes_, out


def _z(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean(1, keepdims=True)) / (scores.std(1, keepdims=True) + 1e-9)


def ensemble(weight: float) -> Callable[[Setup, np.ndarray, np.ndarray], Scores]:
    def run(s: Setup, train: np.ndarray, test: np.ndarray) -> Scores:
        classes, a = fit(svm, s, train, test)
        _, b = fit(lambda: cnb(0.01), s, train, test)
        return classes, _z(a) + weight * _z(b)
    return run


def self_training(threshold: float, weight: float, temperature: float = 0.15) -> Callable[..., Scores]:
    """Unlabelled messages the first model puts at p ≥ ``threshold`` (softmax of its margins) join as examples."""
    def run(s: Setup, train: np.ndarray, test: np.ndarray) -> Scores:
        from scipy.special import softmax

        classes, guess = fit(svm, s, train, s.unlabelled)
        p = softmax(guess / temperature, axis=1)
        sure = np.flatnonzero(p.max(1) >= threshold)
        return fit(svm, s, train, test, (s.unlabelled[sure], list(classes[p[sure].argmax(1)]), weight))
    return run


IDEAS: dict[str, Callable[[Setup, np.ndarray, np.ndarray], Scores]] = {
    "linear": lambda s, tr, te: fit(svm, s, tr, te),
    "unbalanced": lambda s, tr, te: fit(lambda: svm(balanced=False), s, tr, te),
    "C=0.5": lambda s, tr, te: fit(lambda: svm(0.5), s, tr, te),
    "cnb": lambda s, tr, te: fit(lambda: cnb(0.01), s, tr, te),
    "svm+cnb": ensemble(1.0),
    "svm+cnb/2": ensemble(0.5),
    "self-train": self_training(0.9, 0.5),
    "reply-depts": lambda s, tr, te: fit(svm, s, tr, te, (s.weak_rows, s.weak_labels, 0.3)),
}


def judge(idea: Callable[[Setup, np.ndarray, np.ndarray], Scores], s: Setup) -> dict[str, float]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    classes, scores = idea(s, s.sample, s.dev)
    out = {"dev": float(f1_score(s.y[s.dev], classes[scores.argmax(1)], average="macro"))}
    predicted = np.empty(len(s.dev), dtype=object)
    for rest, fold in StratifiedKFold(5, shuffle=True, random_state=0).split(s.dev, s.y[s.dev]):
        classes, scores = idea(s, np.concatenate([s.sample, s.dev[rest]]), s.dev[fold])
        predicted[fold] = classes[scores.argmax(1)]
    out["devcv"] = float(f1_score(s.y[s.dev], predicted, average="macro"))
    out["devcv_acc"] = float(np.mean(predicted == s.y[s.dev]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", help=f"comma-separated subset (default all: {', '.join(IDEAS)})")
    parser.add_argument("--list", action="store_true", help="name the ideas and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(IDEAS))
        return 0
    if not DATA.is_dir():
        print(f"{DATA} is absent: skipped", file=sys.stderr)
        return 0
    wanted = (args.ideas or ",".join(IDEAS)).split(",")
    unknown = set(wanted) - set(IDEAS)
    if unknown:
        parser.error(f"unknown ideas: {', '.join(sorted(unknown))}; choose from {', '.join(IDEAS)}")
    setup = Setup()
    print(f"{'idea':<14} {'dev':>6} {'devcv':>6} {'acc':>6} {'s':>5}")
    for name in wanted:
        started = time.perf_counter()
        m = judge(IDEAS[name], setup)
        print(f"{name:<14} {m['dev']:>6.3f} {m['devcv']:>6.3f} {m['devcv_acc']:>6.3f} "
              f"{time.perf_counter() - started:>5.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
