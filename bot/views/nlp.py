"""The classifier's tuning loop over HTTP (``/admin/v1/nlp``): registry, retrain jobs, rules, labels, triage.

Admins only, except the triage queue and its decisions, which dispatchers work
too. Every change to what serves is applied in this process at once and picked
up by the others through the registry's revision counter.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES, DEFAULT_BUILD, TUNING
from bot.schemas import json_object
from bot.tuning import present
from bot.tuning.schemas import CompareBody, DecisionBody, JobBody, PredictBody, RuleBody, RulePatch
from bot.views.common import flag, page
from bot.views.serialize import category_ref
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role
from intake.errors import Invalid, NotFound
from intake.store.models_nlp import TrainingJob
from intake.tuning import labels, registry, rules, triage
from intake.tuning import shadow as shadow_report
from notify.http import read_capped
from tuning import shadow
from tuning.compare import compare
from tuning.jobs import JobParams, job_view

routes = web.RouteTableDef()
P = "/nlp"  # under the admin sub-app, /admin/v1
MAX_SUGGESTIONS = 100


def _id(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
        raise NotFound(f"no such {name}")
    return int(raw)


async def _applied(request: web.Request) -> None:
    await request.config_dict[TUNING].refresh()


# -- registry ------------------------------------------------------------------------------------------

@routes.get(f"{P}/status")
async def status(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    serving = request.config_dict[TUNING].serving
    return json_response({
        "serving": serving.name, "fallback": serving.fallback.name, "revision": serving.revision,
        "active": serving.active.version_id if serving.active else None,
        "shadow": serving.shadow.version_id if serving.shadow else None,
        "rules": len(serving.rules), "keyword_bar": serving.keyword_bar,
        # off, not needed, building, elsewhere (another process builds), failed or done: bot.default_model
        "default_model": build.state if (build := request.config_dict.get(DEFAULT_BUILD)) else "off"})


@routes.get(f"{P}/models")
async def list_models(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    wanted = request.query.get("status")
    if wanted is not None and wanted not in registry.STATUSES:
        raise Invalid(f"status must be one of {', '.join(registry.STATUSES)}")
    return json_response({"items": [present.version(v) for v in await registry.listing(wanted)]})


@routes.get(f"{P}/models/{{id}}")
async def get_model(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    return json_response(present.version(await registry.get(_id(request)), full=True))


@routes.post(f"{P}/models/{{id}}/activate")
async def activate(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    version = await registry.activate(_id(request), who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response(present.version(version))


@routes.post(f"{P}/rollback")
async def roll_back(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    previous = await registry.roll_back(who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response({"active": present.version(previous) if previous else None,
                              "serving": request.config_dict[TUNING].serving.name})


@routes.post(f"{P}/models/{{id}}/shadow")
async def set_shadow(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    version = await registry.set_shadow(_id(request), who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response(present.version(version))


@routes.delete(f"{P}/shadow")
async def clear_shadow(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    cleared = await registry.clear_shadow(who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response({"cleared": cleared})


@routes.get(f"{P}/models/{{id}}/shadow-report")
async def shadow_of(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    version = await registry.get(_id(request))
    return json_response(await shadow_report.report(version.id, request.config_dict[CASES].taxonomy.catalog))


@routes.post(f"{P}/shadow/run")
async def run_shadow(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    tuning = request.config_dict[TUNING]
    return json_response({"recorded": await shadow.run_once(tuning.ctx, tuning.serving)})


@routes.post(f"{P}/compare")
async def compare_versions(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = CompareBody.model_validate(await json_object(request))
    tuning = request.config_dict[TUNING]
    other = body.b or (tuning.serving.active.version_id if tuning.serving.active else None)
    if other is None:
        raise Invalid("no model is active: name both versions (a and b)")
    return json_response(await compare(tuning.ctx, tuning.cache, body.a, other, tuning.config.holdout_percent))


@routes.post(f"{P}/predict")
async def predict(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = PredictBody.model_validate(await json_object(request))
    serving = request.config_dict[TUNING].serving
    p = serving.classify(body.text)
    return json_response({**present.prediction(p, request.config_dict[CASES]), "triage_threshold": serving.triage(p)})


# -- retrain jobs --------------------------------------------------------------------------------------

@routes.post(f"{P}/jobs")
async def start_job(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    body = JobBody.model_validate(await json_object(request))
    tuning = request.config_dict[TUNING]
    if body.backend == "transformer" and tuning.config.checkpoint is None:
        raise Invalid("the transformer backend needs GRIDLINE_NLP_CHECKPOINT (a local BERT-family directory)")
    job = await tuning.jobs.start(JobParams(body.backend, body.seed_examples, body.label_names, body.note), who.ref)
    return json_response(job_view(job), status=202)


@routes.get(f"{P}/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    return json_response({"items": [job_view(j) for j in await TrainingJob.all().order_by("-id").limit(50)]})


@routes.get(f"{P}/jobs/{{id}}")
async def get_job(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    job = await TrainingJob.get_or_none(id=_id(request))
    if job is None:
        raise NotFound("no such training job")
    return json_response(job_view(job))


# -- keyword rules -------------------------------------------------------------------------------------

@routes.get(f"{P}/rules")
async def list_rules(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    rows = await rules.listing(bool(flag(request, "include_inactive")))
    return json_response({"items": [present.rule(r) for r in rows]})


@routes.post(f"{P}/rules")
async def add_rule(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    body = RuleBody.model_validate(await json_object(request))
    ctx = request.config_dict[CASES]
    rule = await rules.add(ctx.taxonomy.catalog, who.ref, ctx.clock(), body.phrase, body.category, body.priority,
                           body.expires_at, body.note)
    await _applied(request)
    return json_response(present.rule(rule), status=201)


@routes.patch(f"{P}/rules/{{id}}")
async def change_rule(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    body = RulePatch.model_validate(await json_object(request))
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if not changes:
        raise Invalid("nothing to change")
    rule = await rules.update(_id(request), changes, who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response(present.rule(rule))


@routes.delete(f"{P}/rules/{{id}}")
async def remove_rule(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    await rules.remove(_id(request), who.ref, request.config_dict[CASES].clock())
    await _applied(request)
    return json_response({"removed": True})


# -- labels --------------------------------------------------------------------------------------------

@routes.get(f"{P}/labels")
async def list_labels(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    number, size = page(request)
    source, code = request.query.get("source"), request.query.get("category")
    if source is not None and source not in labels.SOURCES:
        raise Invalid(f"source must be one of {', '.join(labels.SOURCES)}")
    if code is not None and (len(code) > 16 or "\x00" in code):
        raise Invalid("category must be a category code")
    total, rows = await labels.listing(source, code, (number - 1) * size, size)
    return json_response({"total": total, "page": number, "per_page": size,
                              "items": [present.label(r, request.config_dict[CASES]) for r in rows]})


@routes.get(f"{P}/labels/export")
async def export_labels(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = present.labels_csv(await labels.everything())
    return web.Response(text=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="labels.csv"'})


@routes.post(f"{P}/labels/import")
async def import_labels(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    content = await _body_up_to(request, labels.MAX_IMPORT_BYTES)
    ctx = request.config_dict[CASES]
    count = await labels.import_csv(content, ctx.taxonomy.catalog, who.ref, ctx.clock(), ctx.taxonomy.version)
    return json_response({"imported": count}, status=201)


async def _body_up_to(request: web.Request, limit: int) -> bytes:
    """The raw body, read past the app's JSON-sized limit up to ``limit`` bytes (a CSV is bigger)."""
    body = await read_capped(request.content, limit)
    if len(body) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    return body


# -- triage (admins and dispatchers) -------------------------------------------------------------------

@routes.get(f"{P}/triage")
async def triage_queue(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER)
    number, size = page(request)
    total, rows = await triage.queue(who, (number - 1) * size, size, request.query.get("order", "learning"))
    return json_response({"total": total, "page": number, "per_page": size,
                              "items": [present.triage_item(i, c, request.config_dict[CASES]) for i, c in rows]})


@routes.get(f"{P}/suggest-labels")
async def suggest_labels(request: web.Request) -> web.Response:
    """The ``n`` held cases whose label would teach the next retrain most (uncertainty × diversity)."""
    who = actor(request, Role.ADMIN, Role.DISPATCHER)
    raw = request.query.get("n", "20")
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_SUGGESTIONS):
        raise Invalid(f"n must be a whole number within 1–{MAX_SUGGESTIONS}")
    total, rows = await triage.queue(who, 0, int(raw), "learning")
    ctx = request.config_dict[CASES]
    return json_response({"total": total, "items": [
        {**present.triage_item(i, c, ctx), "learning_value": round(triage.learning_value(i.top), 4)} for i, c in rows]})


@routes.post(f"{P}/triage/{{case_no}}")
async def decide(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER)
    case_no = parse_case_no(request.match_info["case_no"])
    if case_no is None:
        raise NotFound("no such case number (check the digits)")
    body = DecisionBody.model_validate(await json_object(request))
    case = await triage.decide(request.config_dict[CASES], case_no, body.category, who)
    return json_response({"case_no": case.case_no, "status": case.status, "category": case.category_code,
                          "category_ref": category_ref(request.config_dict[CASES], case.category_code, "zh_CN"),
                          "assignee": {"user_id": case.assignee_user_id}})
