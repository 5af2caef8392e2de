"""Building the domain's collaborators from settings and the database (used by the app factory)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.demo import is_empty, load_demo
from bot.metrics import Metrics
from bot.settings import Mode, Settings
from intake.cases.context import CaseContext, Clock, utc_now
from intake.cases.policy import OutwardPolicy, TaskPolicy
from intake.grid.store import GridService
from intake.sla.calendar import WorkCalendar
from intake.sla.deadlines import SlaPolicy
from intake.sla.sweeper import sweep
from intake.store import db
from intake.surveys.policy import SurveyPolicy
from intake.taxonomy.catalog import Catalog
from intake.taxonomy.store import TaxonomyStore
from nlp.english import EnglishFirst
from nlp.keyword import KeywordClassifier
from nlp.types import LabelTerms
from notify.types import Notifier
from tuning.loader import register_default
from tuning.serving import ServingClassifier

log = logging.getLogger("gridline.app")
SWEEP_LOCK = "lock:sla-sweep"


async def prepare_database(settings: Settings) -> None:
    """What happens once per database before any process serves: migrations, the demo city (sandbox
    mode, empty database), the shipped taxonomy and the default model.

    ``gridline serve`` runs it before starting its workers: N workers starting on a fresh database
    raced to seed it (two inserted taxonomy version 1 and a worker died). Each app still checks the
    same at start-up, and finds it done.
    """
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        if settings.effective_mode is Mode.SANDBOX and await is_empty():
            await load_demo(settings.geo_dir, Path("var/demo-tokens.json"), replace=False,
                            groups=settings.outbox.kind == "sandbox")
        taxonomy = TaxonomyStore(Catalog.load())
        await taxonomy.seed()
        await taxonomy.refresh()
        await register_default(settings.nlp.model_dir, settings.nlp.target_precision, taxonomy.version)
    finally:
        await db.close_db()


def build_classifier(catalog: Catalog, places: list[str]) -> KeywordClassifier:
    labels = [LabelTerms(c.code, (c.name_zh, c.name_en), c.synonyms) for c in catalog.leaves()]
    return KeywordClassifier(labels, places=places)


@dataclass(frozen=True, slots=True)
class Domain:
    """The case context, complete, and the serving classifier it classifies and triages through: tuning
    swaps models inside it, the taxonomy refresh its keyword fallback."""

    ctx: CaseContext
    serving: ServingClassifier


async def build_context(notifier: Notifier, clock: Clock | None = None, *, surveys: SurveyPolicy | None = None,
                        keyword_bar: float = 0.8, tasks: TaskPolicy | None = None,
                        outward: OutwardPolicy | None = None) -> Domain:
    """Everything a case use-case needs, built once: nothing patches the context afterwards (it is frozen)."""
    taxonomy = TaxonomyStore(Catalog.load())
    await taxonomy.seed()
    await taxonomy.refresh()
    grid = await GridService.from_db()
    classifier = build_classifier(taxonomy.catalog, grid.gazetteer.names())
    # Load jieba's dictionaries now, not on the first resident's message.
    classifier.classify("预热")
    grid.gazetteer.best("预热")
    sla = SlaPolicy(WorkCalendar.load())
    # Rules, then the active model (loaded by tuning/ once the app starts), else the keyword matcher.
    serving = ServingClassifier(classifier, keyword_bar, clock or utc_now)
    # English complaints are placed by the English keyword layer first (the models are Chinese-trained).
    ctx = CaseContext(taxonomy, grid, EnglishFirst(serving), notifier, sla, clock or utc_now,
                      surveys=surveys or SurveyPolicy(), triage=serving.triage, tasks=tasks or TaskPolicy(),
                      outward=outward or OutwardPolicy())
    return Domain(ctx, serving)


async def refresh_taxonomy(ctx: CaseContext, serving: ServingClassifier) -> None:
    """Pick up taxonomy versions published by any process, and retrain the keyword matcher on them."""
    if await ctx.taxonomy.refresh():
        serving.fallback = build_classifier(ctx.taxonomy.catalog, ctx.grid.gazetteer.names())


async def sla_sweep(ctx: CaseContext, metrics: Metrics) -> None:
    """The SLA sweep (督办 and escalation), with its figures in the metrics and the log."""
    result = await sweep(ctx)
    if result.supervised:
        metrics.sweeps.labels("any").inc(result.supervised)
        log.info("sla sweep", extra={"supervised": result.supervised, "escalated": result.escalated})
