"""Classifier quality on real resident messages, and speed on short ones.

Data: ``../shared/data/teddy2020c`` (TipDM 2020 C, 7 labels; read its PROVENANCE.md): 446 labelled
messages that are the competition's official *sample* (not distributed like real traffic), 400
representative labelled messages (dev) and 7,095 unlabelled ones, 2,793 of them with the government's
reply. Cross-validation on the 446 alone overstated real traffic by more than 10 points, so two protocols:

* ``dev``   — trained on the 446, scored on the 400 dev messages: where ideas are judged;
* ``cv846`` — stratified 5-fold CV over all 846 labels (``cv846_dev``: the same predictions scored on the
  dev rows only, the closest stand-in for "trained on the 846, scored on unseen real messages").

Each reports macro-F1, accuracy, accuracy on the surest 80 %, top-3 accuracy, ECE (10 bins), and for the
messages that clear the model's own auto-dispatch thresholds (fitted out-of-fold on its training data for
95 % precision): their share (auto), precision (autoP) and the worst category's precision (worstP, among
categories with at least 5 such messages).
Unlabelled messages are used only as text; a fold's test labels never reach its training. Variants:

* ``keyword``       — the keyword matcher over the label tree's level-1/2/3 names (no training, dev only);
* ``linear``        — trained on the labelled messages only;
* ``+vocab``        — plus 7,095 unlabelled messages for vocabulary and IDF: ``gridline nlp evaluate``'s recipe;
* ``+seeds``, ``+vocab+seeds`` — plus the label tree's names as always-in seed examples (weight 4);
* ``seeds w=1``, ``no head`` — ablations of the seed weight and of the first-sentence features;
* ``+self-train``   — then its 50 most confident unlabelled messages per label as examples;
* ``+reply-depts``  — plus messages whose government reply names a department, labelled by it.

Measured Dec 2026 on 2 shared cores (``--variants keyword,+vocab``, then ``+vocab+seeds,+reply-depts --no-cv``;
auto-dispatch thresholds then still the plain 95 % cut, see :data:`nlp.metrics.WILSON_Z` for the fix):

==============  =====  =====  ======  =====  =====  =====  =====  ======
protocol        F1     acc    acc@80  top3   ECE    auto   autoP  worstP
==============  =====  =====  ======  =====  =====  =====  =====  ======
keyword, dev    0.604  0.635  0.725   0.795  0.143  —      —      —
+vocab, dev     0.740  0.762  0.828   0.958  0.091  0.598  0.879  0.692
+vocab+seeds    0.733  0.752  0.822   0.960  0.110  0.703  0.847  0.692
+reply-depts    0.751  0.775  0.831   0.965  0.096  0.580  0.927  0.700
+vocab, cv846   0.830  0.832  0.908   0.982  0.040  0.637  0.935  0.913
+vocab, cv846 dev rows  0.824  0.833  0.912  0.983  0.049  0.650  0.927  0.842
==============  =====  =====  ======  =====  =====  =====  =====  ======

Re-measured for #17 with the Wilson-bound thresholds (``--variants +vocab``, 379 s per fit on a machine
loaded 10–15 deep): the same F1 and calibration, fewer but surer auto-dispatches:

==============  =====  =====  ======  =====  =====  =====  =====  ======
protocol        F1     acc    acc@80  top3   ECE    auto   autoP  worstP
==============  =====  =====  ======  =====  =====  =====  =====  ======
+vocab, dev     0.740  0.762  0.828   0.958  0.091  0.520  0.885  0.600
+vocab, cv846   0.830  0.832  0.908   0.982  0.040  0.534  0.956  0.943
cv846 dev rows  0.824  0.833  0.912   0.983  0.049  0.562  0.956  0.833
==============  =====  =====  ======  =====  =====  =====  =====  ======

The dev ECE (0.091) is the 446 sample's out-of-fold temperature applied to differently drawn messages;
trained with representative labels too (cv846 dev rows), calibration fitted out of fold holds: 0.049.
Every further idea of #17 (LinearSVC/LR/complement NB, ensembles, self-training, reply departments,
class weights, feature blocks, LSA, neighbour smoothing) is in ``bench/classifier_ideas.py``.

More ideas, measured with cached features (/tmp experiments, same recipe). "dev-CV" = trained on the 446
and 4/5 of dev, scored on the other 1/5, 5 folds: the closest stand-in for training on all 846.

=============================================  ==============  =========
idea                                           dev F1          dev-CV F1
=============================================  ==============  =========
linear SVM C=1 (+vocab): the recipe            0.740           0.836
C=0.3 / C=3                                    0.746 / 0.742   0.830 / 0.834
no class balancing                             —               0.826
logistic regression C=30                       0.693           —
reply departments as weak labels w=0.3 / 0.1   0.763 / —       0.823 / 0.825
departments learned from the model's votes     0.635           —
co-training message × reply, all / surest half 0.741 / 0.755   —
then self-training the 4,302 plain messages    0.732           —
self-training 100 / 300 per label, w=0.3       —               0.825 / 0.800
SVM + complement NB averaged                   —               0.840
character 1–4-grams                            0.727           0.832
=============================================  ==============  =========

Nothing moved dev-CV beyond noise (±0.01 on 400 messages), so ``gridline nlp evaluate`` runs the plain
recipe; the replies' departments help only a model trained on the unrepresentative sample.

Speed is in ``bench/classifier_speed.py``.

Run: ``.venv/bin/python bench/classifier.py [--variants a,b|all] [--no-cv] [--checkpoint DIR]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classifier_data import DATA, Teddy, department_labels, load_teddy
from nlp.features import TextFeatures
from nlp.keyword import KeywordClassifier
from nlp.linear import LinearClassifier
from nlp.metrics import POOLED, evaluate
from nlp.types import LabelTerms, Prediction

GOAL_F1, GOAL_ACC80, GOAL_ECE = 0.912, 0.96, 0.05  # the 8,300-label anchor; calibration
Row = tuple[str, dict[str, Any], float]
DEFAULT = ("keyword", "+vocab")


class SelfTrained:
    """The recommended linear model, refitted with its own most confident unlabelled predictions."""

    def __init__(self, seeds: list[tuple[str, str]], unlabelled: list[str], per_label: int = 50) -> None:
        self.seeds, self.unlabelled, self.per_label = seeds, unlabelled, per_label
        self.model = LinearClassifier()

    @property
    def name(self) -> str:
        return self.model.name

    def fit(self, texts: Sequence[str], labels: Sequence[str], **_: Any) -> SelfTrained:
        first = LinearClassifier().fit(texts, labels, unlabelled=self.unlabelled, seeds=self.seeds)
        guesses = sorted(zip(first.classify_many(self.unlabelled), self.unlabelled, strict=True),
                         key=lambda pair: -pair[0].confidence)
        taken: dict[str, int] = {}
        extra: list[tuple[str, str]] = []
        for prediction, text in guesses:
            code = prediction.code or ""
            if taken.get(code, 0) < self.per_label:  # per label: the majority label must not swamp the rest
                taken[code] = taken.get(code, 0) + 1
                extra.append((text, code))
        self.model.fit([*texts, *(t for t, _ in extra)], [*labels, *(c for _, c in extra)],
                       unlabelled=self.unlabelled, seeds=self.seeds)
        return self

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        return self.model.classify_many(texts)


def memoise_segmentation() -> None:
    """Segment each message once per run, not once per fit: every fold re-reads the same 8,000 texts, and
    jieba is most of a fit's time. The features are the same numbers (a cache of a pure function)."""
    original = TextFeatures._doc_columns
    cache: dict[str, Any] = {}

    def cached(self: TextFeatures, doc: str) -> Any:
        if doc not in cache:
            cache[doc] = original(self, doc)
        return cache[doc]

    setattr(TextFeatures, "_doc_columns", cached)  # noqa: B010  (mypy: assigning to a method)


def variants(data: Teddy) -> dict[str, tuple[Callable[[], Any], dict[str, Any]]]:
    """name → (factory, fit options)."""
    vocab, seeds = {"unlabelled": data.unlabelled}, {"seeds": data.seeds}
    labelled = set(data.texts)  # a test message must not come back as a (distantly) labelled seed
    replies = [(t, label) for t, label in department_labels(data.replies) if t not in labelled]
    return {
        "linear": (LinearClassifier, {}),
        "+vocab": (LinearClassifier, vocab),
        "+seeds": (LinearClassifier, seeds),
        "+vocab+seeds": (LinearClassifier, {**vocab, **seeds}),
        "seeds w=1": (lambda: LinearClassifier(seed_weight=1.0), {**vocab, **seeds}),
        "no head": (lambda: LinearClassifier(head_weight=0.0), {**vocab, **seeds}),
        "+self-train": (lambda: SelfTrained(data.seeds, data.unlabelled), {}),
        # Reply-labelled messages are seeds: always in training, never scored.
        "+reply-depts": (LinearClassifier, {**vocab, "seeds": data.seeds + replies}),
    }


def keyword_row(data: Teddy) -> Row:
    by_label: dict[str, list[str]] = {}
    for text, label in data.seeds:
        by_label.setdefault(label, []).append(text)
    classifier = KeywordClassifier([LabelTerms(label, (label,), tuple(terms)) for label, terms in by_label.items()])
    started = time.perf_counter()
    predictions = classifier.classify_many(data.dev_texts)
    metrics = _metrics(data.dev_labels, predictions)
    return "keyword", {"dev": metrics}, time.perf_counter() - started  # nothing to train: no CV


def _metrics(truth: Sequence[str], predictions: Sequence[Prediction],
             auto: Sequence[bool] | None = None) -> dict[str, Any]:
    """``evaluate``'s figures; with ``auto`` (which predictions clear the model's own auto-dispatch
    thresholds) also how precise and how many those are, and the worst category's precision among them."""
    metrics = evaluate(list(truth), [p.code for p in predictions], [p.confidence for p in predictions],
                       top=[[s.code for s in p.top] for p in predictions])
    if auto is not None:
        sent = [(t, p.code) for t, p, a in zip(truth, predictions, auto, strict=True) if a]
        by_code: dict[str, list[bool]] = {}
        for t, code in sent:
            by_code.setdefault(code or "", []).append(t == code)
        metrics["auto_coverage"] = len(sent) / max(1, len(truth))
        metrics["auto_precision"] = sum(t == c for t, c in sent) / max(1, len(sent))
        metrics["auto_worst_category"] = min((sum(v) / len(v) for v in by_code.values() if len(v) >= 5),
                                             default=1.0)
    return metrics


def _auto(model: Any, predictions: Sequence[Prediction]) -> list[bool]:
    """Triage's rule: confidence ≥ the category's threshold, else the pooled one, else never."""
    thresholds = getattr(model, "thresholds", {})
    return [p.confidence >= thresholds.get(p.code or "", thresholds.get(POOLED, math.inf)) for p in predictions]


def protocols_row(name: str, factory: Callable[[], Any], options: dict[str, Any], data: Teddy, cv: bool) -> Row:
    """``dev``: trained on the 446-message sample, scored on the 400 representative messages. ``cv846``: 5-fold
    cross-validation over all 846 labels; ``cv846_dev``: the same predictions, scored on the dev rows only."""
    started = time.perf_counter()
    model = factory().fit(data.texts, data.labels, **options)
    dev = model.classify_many(data.dev_texts)
    out = {"dev": _metrics(data.dev_labels, dev, _auto(model, dev))}
    fits = 1
    if cv:
        from sklearn.model_selection import StratifiedKFold

        texts, labels = data.texts + data.dev_texts, data.labels + data.dev_labels
        predictions: list[Prediction | None] = [None] * len(texts)
        auto = [False] * len(texts)
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels):
            fold = factory().fit([texts[i] for i in train], [labels[i] for i in train], **options)
            scored = fold.classify_many([texts[i] for i in test])
            for i, prediction, sent in zip(test, scored, _auto(fold, scored), strict=True):
                predictions[i], auto[i] = prediction, sent
            fits += 1
        done = [p for p in predictions if p is not None]
        out["cv846"] = _metrics(labels, done, auto)
        out["cv846_dev"] = _metrics(data.dev_labels, done[len(data.texts):], auto[len(data.texts):])
    return name, out, (time.perf_counter() - started) / fits


def transformer_row(checkpoint: Path, data: Teddy) -> Row | None:
    try:
        import importlib

        importlib.import_module("torch")
    except ImportError:
        print("transformer: torch is not installed, skipped", file=sys.stderr)
        return None
    from nlp.transformer import TransformerClassifier

    return protocols_row("transformer", lambda: TransformerClassifier(checkpoint), {}, data, cv=False)


COLUMNS = (("macro_f1", "F1"), ("accuracy", "acc"), ("accuracy_at_80_coverage", "acc@80"),
           ("top3_accuracy", "top3"), ("ece", "ECE"), ("auto_coverage", "auto"), ("auto_precision", "autoP"),
           ("auto_worst_category", "worstP"))


def print_table(rows: list[Row]) -> None:
    for protocol, title in (("dev", "trained on the 446 sample → 400 dev"),
                            ("cv846", "5-fold CV over all 846"), ("cv846_dev", "the same CV, dev rows only")):
        print(f"\n{title}")
        print(f"{'variant':<14} " + " ".join(f"{short:>7}" for _, short in COLUMNS) + f" {'s/fit':>6}")
        for name, m, seconds in rows:
            if protocol in m:
                cells = (f"{m[protocol][k]:>7.3f}" if k in m[protocol] else f"{'—':>7}" for k, _ in COLUMNS)
                print(f"{name:<14} " + " ".join(cells) + f" {seconds:>6.1f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", help="comma-separated subset of variants (default: all)")
    parser.add_argument("--no-cv", action="store_true", help="dev only: skip the 5-fold CV over all 846 labels")
    parser.add_argument("--checkpoint", type=Path, help="local BERT-family checkpoint: also run the transformer")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: quality section skipped", file=sys.stderr)
        return 0
    data = load_teddy()
    memoise_segmentation()
    everything = ["keyword", *variants(data)]
    wanted = everything if args.variants == "all" else (args.variants or ",".join(DEFAULT)).split(",")
    unknown = set(wanted) - set(everything)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}; choose from {', '.join(everything)}")
    rows = [keyword_row(data)] if "keyword" in wanted else []
    for name, (factory, options) in variants(data).items():
        if name in wanted:
            rows.append(protocols_row(name, factory, options, data, cv=not args.no_cv))
            print(f"  done: {name}", file=sys.stderr)
    if args.checkpoint and (row := transformer_row(args.checkpoint, data)):
        rows.append(row)
    print(f"teddy2020c: {len(data.texts)} sample + {len(data.dev_texts)} dev labelled, "
          f"{len(data.unlabelled):,} unlabelled, {len(data.seeds)} label-tree seeds")
    print_table(rows)
    protocol = "dev" if args.no_cv else "cv846_dev"
    scored = [r for r in rows if protocol in r[1]] or [r for r in rows if "dev" in r[1]]
    protocol = protocol if protocol in scored[0][1] else "dev"  # only the keyword matcher ran: no CV
    name, best = max(((r[0], r[1][protocol]) for r in scored), key=lambda r: r[1]["macro_f1"])
    for key, goal in (("macro_f1", GOAL_F1), ("accuracy_at_80_coverage", GOAL_ACC80), ("ece", GOAL_ECE)):
        met = best[key] <= goal if key == "ece" else best[key] >= goal
        print(f"goal {key} {'≤' if key == 'ece' else '≥'} {goal} ({protocol}): {best[key]:.3f} ({name}) — "
              f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
