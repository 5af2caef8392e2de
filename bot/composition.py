"""Building the domain's collaborators from settings and the database (used by the app factory)."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.demo import is_empty, load_demo
from bot.metrics import Metrics
from bot.settings import Mode, Settings
from intake.cases.context import CaseContext, Clock, utc_now
from intake.grid.store import GridService
from intake.sla.calendar import WorkCalendar
from intake.sla.deadlines import SlaPolicy
from intake.sla.sweeper import sweep
from intake.store import db
from intake.taxonomy.catalog import Catalog
from intake.taxonomy.store import TaxonomyStore
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
            await load_demo(settings.geo_dir, Path("var/demo-tokens.json"), replace=False)
        taxonomy = TaxonomyStore(Catalog.load())
        await taxonomy.seed()
        await taxonomy.refresh()
        await register_default(settings.model_dir, settings.nlp_target_precision, taxonomy.version)
    finally:
        await db.close_db()


def build_classifier(catalog: Catalog, places: list[str]) -> KeywordClassifier:
    labels = [LabelTerms(c.code, (c.name_zh, c.name_en), c.synonyms) for c in catalog.leaves()]
    return KeywordClassifier(labels, places=places)


async def build_context(notifier: Notifier, clock: Clock | None = None, *, keyword_bar: float = 0.8) -> CaseContext:
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
    ctx = CaseContext(taxonomy, grid, serving, notifier, sla, clock or utc_now)
    ctx.triage = serving.triage
    return ctx


async def refresh_taxonomy(ctx: CaseContext) -> None:
    """Pick up taxonomy versions published by any process, and retrain the keyword matcher on them."""
    if await ctx.taxonomy.refresh():
        keyword = build_classifier(ctx.taxonomy.catalog, ctx.grid.gazetteer.names())
        if isinstance(ctx.classifier, ServingClassifier):
            ctx.classifier.fallback = keyword
        else:
            ctx.classifier = keyword


async def sla_sweep(ctx: CaseContext, metrics: Metrics) -> None:
    """The SLA sweep (督办 and escalation), with its figures in the metrics and the log."""
    result = await sweep(ctx)
    if result.supervised:
        metrics.sweeps.labels("any").inc(result.supervised)
        log.info("sla sweep", extra={"supervised": result.supervised, "escalated": result.escalated})
