"""The classifier intake uses: keyword rules first, then the active model, else the keyword matcher.

One long-lived object: :mod:`tuning.loader` swaps what is inside when the
registry changes, so ``CaseContext.classifier`` and ``CaseContext.triage`` keep
pointing at it. Swaps replace whole attributes (no locks needed: readers see the
old or the new state, never a mix).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from intake.cases.context import Clock, utc_now
from intake.tuning.rules import LiveRule
from nlp.normalize import normalize
from nlp.types import Classifier, Prediction, Scored

NO_THRESHOLD = 1.0  # stands for "this category has no validated threshold": the case always waits
RULE_PREFIX = "rule:"


POOLED = "*"  # nlp.metrics.thresholds_for_precision's key for the threshold over all categories together


@dataclass(frozen=True, slots=True)
class Served:
    """A registered model in memory: its registry id, thresholds and the loaded classifier."""

    version_id: int
    classifier: Classifier
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rule:
    rule: LiveRule
    norm: str


class ServingClassifier:
    """Implements :class:`nlp.types.Classifier` and the triage check (``CaseContext.triage``)."""

    def __init__(self, fallback: Classifier, keyword_bar: float = 0.8, clock: Clock = utc_now) -> None:
        self.fallback = fallback
        self.keyword_bar = keyword_bar
        self.clock = clock
        self.active: Served | None = None
        self.shadow: Served | None = None
        self.revision = -1  # the registry revision this state reflects; -1: never loaded
        self._rules: tuple[_Rule, ...] = ()

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def model(self) -> Classifier:
        """What classifies when no rule applies."""
        return self.active.classifier if self.active is not None else self.fallback

    def set_rules(self, rules: Sequence[LiveRule]) -> None:
        compiled = [_Rule(r, normalize(r.phrase)) for r in rules]
        # Highest priority first, then the longer phrase, then the older rule.
        compiled.sort(key=lambda c: (-c.rule.priority, -len(c.norm), c.rule.id))
        self._rules = tuple(c for c in compiled if c.norm)

    @property
    def rules(self) -> tuple[LiveRule, ...]:
        return tuple(c.rule for c in self._rules)

    def classify(self, text: str) -> Prediction:
        return self._with_rules(text, self.model.classify(text), self.clock())

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        now = self.clock()
        return [self._with_rules(t, p, now) for t, p in zip(texts, self.model.classify_many(texts), strict=True)]

    def triage(self, prediction: Prediction) -> float | None:
        """The threshold ``prediction`` missed, or None when it may be auto-dispatched."""
        if prediction.model.startswith(RULE_PREFIX):
            return None  # an admin's rule is a decision, not a guess
        active = self.active
        if active is not None and prediction.model == active.classifier.name:
            # A category too rare in validation to earn its own threshold falls back to the pooled one.
            threshold = active.thresholds.get(prediction.code or "", active.thresholds.get(POOLED))
            if threshold is None:
                return NO_THRESHOLD
            return None if prediction.confidence >= threshold else threshold
        if prediction.code is None or prediction.confidence < self.keyword_bar:
            return self.keyword_bar
        return None

    def _with_rules(self, text: str, base: Prediction, now: datetime) -> Prediction:
        rule = self._rule_for(text, now)
        if rule is None:
            return base
        top = (Scored(rule.code, 1.0), *[s for s in base.top if s.code != rule.code][:4])
        return Prediction(rule.code, 1.0, top, (rule.phrase,), base.severity_hint, base.places,
                          f"{RULE_PREFIX}{rule.id}")

    def _rule_for(self, text: str, now: datetime) -> LiveRule | None:
        if not self._rules:
            return None
        norm = normalize(text)
        for compiled in self._rules:
            expires = compiled.rule.expires_at
            if compiled.norm in norm and (expires is None or expires > now):
                return compiled.rule
        return None
