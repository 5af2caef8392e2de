"""The collaborators every case use-case needs, bundled once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from intake.cases.policy import OutwardPolicy, TaskPolicy
from intake.grid.store import GridService
from intake.sla.deadlines import SlaPolicy
from intake.surveys.policy import SurveyPolicy
from intake.taxonomy.store import TaxonomyStore
from nlp.types import Classifier, Prediction
from notify.types import Notifier

Clock = Callable[[], datetime]
# The threshold a prediction failed to reach (the case waits for triage), or None (route it automatically).
TriageCheck = Callable[[Prediction], float | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CaseContext:
    """Built once, completely, by the composition root (``bot.composition.build_context``); frozen, so a
    feature cannot patch it later. What changes while the app runs (the taxonomy's version, the serving
    classifier's model) changes inside these collaborators."""

    taxonomy: TaxonomyStore
    grid: GridService
    classifier: Classifier
    notifier: Notifier
    sla: SlaPolicy
    clock: Clock = utc_now
    surveys: SurveyPolicy = field(default_factory=SurveyPolicy)
    triage: TriageCheck | None = None
    tasks: TaskPolicy = field(default_factory=TaskPolicy)
    outward: OutwardPolicy = field(default_factory=OutwardPolicy)
