"""Model versions at the console: the list with metrics, one version's pictures, retraining, comparing.

Reads the registry (``intake.tuning.registry``), starts jobs through ``tuning.jobs`` and compares through
``tuning.compare``, as the admin API does. A job's progress is polled from ``jobs/{id}.json``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.console.auth import ME
from bot.console.nlp import charts
from bot.console.nlp.common import ADMIN, allowed, flash, flash_and_go, form_id, in_words, name_of, path_id
from bot.jsonout import json_response
from bot.keys import CASES, TUNING
from bot.tuning import present
from bot.web.render import error_page, gettext, page
from intake.errors import DomainError, Invalid, NotFound
from intake.store.models_nlp import TrainingJob
from intake.tuning import registry
from intake.tuning import shadow as shadow_report
from tuning.compare import compare
from tuning.jobs import DONE, FAILED, JobParams, job_view

routes = web.RouteTableDef()
METRICS = ("macro_f1", "accuracy", "accuracy_at_80_coverage", "coverage_at_95_precision")  # the list's
DETAIL = (*METRICS, "ece", "top3_accuracy")  # one version's page has every stored figure


@routes.get("/nlp/models", name="nlp_models")
@allowed(ADMIN)
async def models_page(request: web.Request) -> web.Response:
    versions = await registry.listing()
    serving = request.config_dict[TUNING].serving
    job = await TrainingJob.all().order_by("-id").first()
    return page("nlp/models.html", request, {
        "me": request[ME], "tab": "models", "flash": await flash(request), "metrics": METRICS,
        "versions": [present.version(v) for v in versions], "serving": serving.name,
        "job": job_view(job) if job else None, "running": bool(job and job.status not in (DONE, FAILED)),
        "compared": None})


@routes.get("/nlp/models/{id}", name="nlp_model")
@allowed(ADMIN)
async def model_page(request: web.Request) -> web.Response:
    try:
        version = await registry.get(path_id(request))
    except NotFound:
        return error_page(request, 404, gettext(request)("There is no such model version."))
    stored = version.metrics
    holdout = stored.get("holdout") if isinstance(stored.get("holdout"), dict) else {}
    catalog = request.config_dict[CASES].taxonomy.catalog
    shadow = await shadow_report.report(version.id, catalog) if version.status == registry.SHADOW else None
    return page("nlp/model.html", request, {
        "me": request[ME], "tab": "models", "flash": await flash(request),
        "version": present.version(version, full=True), "metrics": DETAIL,
        "holdout": holdout, "confusion": charts.confusion(stored.get("confusion_pairs")),
        "reliability": charts.reliability(holdout.get("reliability") if holdout else None),
        "thresholds": sorted((c, name_of(request, c), t) for c, t in version.thresholds.items()),
        "per_class": sorted((c, name_of(request, c), s) for c, s in (stored.get("per_class") or {}).items()),
        "shadow": shadow})


@routes.post("/nlp/retrain", name="nlp_retrain")
@allowed(ADMIN)
async def retrain(request: web.Request) -> web.Response:
    form, me, tuning = await request.post(), request[ME], request.config_dict[TUNING]
    where = str(request.app.router["nlp_models"].url_for())
    params = JobParams("linear", form.get("seed_examples") == "on", form.get("label_names") == "on",
                       str(form.get("note", "")).strip()[:500])
    try:
        job = await tuning.jobs.start(params, me.actor.ref)
    except DomainError as exc:
        return await flash_and_go(request, where, in_words(request, exc), "error")
    return await flash_and_go(request, where, gettext(request)("Retraining started (job {id}).").format(id=job.id))


@routes.get("/nlp/jobs/{id}.json", name="nlp_job")
@allowed(ADMIN)
async def job_status(request: web.Request) -> web.Response:
    job = await TrainingJob.get_or_none(id=form_id(request.match_info["id"]) or 0)
    if job is None:
        return json_response({"error": "not_found"}, status=404)
    return json_response(job_view(job), headers={"Cache-Control": "no-store"})


@routes.get("/nlp/compare", name="nlp_compare")
@allowed(ADMIN)
async def compare_page(request: web.Request) -> web.Response:
    """Two versions on the held-out slice, overall and per category (read-only: nothing changes)."""
    tuning = request.config_dict[TUNING]
    a, b = form_id(request.query.get("a")), form_id(request.query.get("b"))
    try:
        if a is None or b is None:
            raise Invalid("choose two versions")
        result: dict[str, Any] = await compare(tuning.ctx, tuning.cache, a, b, tuning.config.holdout_percent)
    except DomainError as exc:
        return await flash_and_go(request, str(request.app.router["nlp_models"].url_for()),
                                  in_words(request, exc), "error")
    rows = sorted(((c, name_of(request, c), s) for c, s in result["per_class"].items()),
                  key=lambda r: r[2]["b"] - r[2]["a"])
    return page("nlp/compare.html", request, {"me": request[ME], "tab": "models", "flash": None,
                                              "result": result, "rows": rows, "metrics": DETAIL})
