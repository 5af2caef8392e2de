"""The classifier port that ``intake`` depends on (types only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Scored:
    """One candidate label with its score (a probability in [0, 1])."""

    code: str
    score: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a classifier says about one text.

    ``code`` is ``None`` when nothing matched at all: intake then leaves the case
    for a human to classify instead of guessing.
    """

    code: str | None
    confidence: float
    top: tuple[Scored, ...] = ()
    terms: tuple[str, ...] = ()
    severity_hint: str | None = None
    places: tuple[str, ...] = ()
    model: str = "unknown"


@runtime_checkable
class Classifier(Protocol):
    """Anything that turns complaint text into a :class:`Prediction`."""

    @property
    def name(self) -> str: ...

    def classify(self, text: str) -> Prediction: ...

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]: ...


@dataclass(frozen=True, slots=True)
class LabelTerms:
    """Seed vocabulary for one label: its names and the residents' synonyms."""

    code: str
    names: tuple[str, ...]
    synonyms: tuple[str, ...] = field(default=())
