"""Keyword rules and "Try it" at the console: add, edit, expire; what a text would go to, live.

The form fields pass the admin API's own schemas (``bot.tuning.schemas``) and ``intake.tuning.rules``;
a time without a zone is read as Beijing time, the time the district works in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.console.auth import ME
from bot.console.nlp.common import ADMIN, allowed, attempt, flash, in_words, name_of, named, path_id
from bot.keys import CASES, TUNING
from bot.tuning.schemas import PredictBody, RuleBody, RulePatch
from bot.web.render import gettext, page
from intake.errors import DomainError, Invalid
from intake.sla.calendar import SHANGHAI
from intake.tuning import rules

routes = web.RouteTableDef()
RECENT = timedelta(days=30)  # the window of a rule's match count


def _when(raw: object) -> datetime | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid("the expiry must be a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _number(raw: object, default: int) -> int:
    text = str(raw or "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        raise Invalid("the priority must be a whole number") from None


def _checked(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None


@routes.get("/nlp/rules", name="nlp_rules")
@allowed(ADMIN)
async def rules_page(request: web.Request) -> web.Response:
    now = request.config_dict[CASES].clock()
    counts = await rules.match_counts(now - RECENT)
    rows = [{"rule": r, "name": name_of(request, r.code), "matched": counts.get(r.id, 0),
             "expired": bool(r.expires_at and r.expires_at <= now)} for r in await rules.listing(True)]
    return page("nlp/rules.html", request, {"me": request[ME], "tab": "rules", "flash": await flash(request),
                                            "rows": rows, "days": RECENT.days})


@routes.post("/nlp/rules", name="nlp_rule_add")
@allowed(ADMIN)
async def add_rule(request: web.Request) -> web.Response:
    form, me, ctx = await request.post(), request[ME], request.config_dict[CASES]

    async def step() -> None:
        body = _checked(RuleBody, {"phrase": str(form.get("phrase", "")), "category": str(form.get("category", "")),
                                   "priority": _number(form.get("priority"), 1),
                                   "expires_at": _when(form.get("expires_at")),
                                   "note": str(form.get("note", ""))})
        await rules.add(ctx.taxonomy.catalog, me.actor.ref, ctx.clock(), body.phrase, body.category, body.priority,
                        body.expires_at, body.note)
        await request.config_dict[TUNING].refresh()
    return await attempt(request, _rules(request), gettext(request)("The rule was added."), step)


@routes.post("/nlp/rules/{id}", name="nlp_rule_edit")
@allowed(ADMIN)
async def edit_rule(request: web.Request) -> web.Response:
    form, me, ctx = await request.post(), request[ME], request.config_dict[CASES]

    async def step() -> None:
        changes: dict[str, Any] = {"priority": _number(form.get("priority"), 1)}
        if "note" in form:
            changes["note"] = str(form.get("note", ""))
        if form.get("expire") == "1":
            changes["active"] = False  # expire now: the rule stops applying and stays listed
        elif str(form.get("expires_at", "")).strip():
            changes["expires_at"] = _when(form.get("expires_at"))
        body = _checked(RulePatch, changes)
        await rules.update(path_id(request), body.model_dump(exclude_unset=True), me.actor.ref, ctx.clock())
        await request.config_dict[TUNING].refresh()
    return await attempt(request, _rules(request), gettext(request)("The rule was changed."), step)


def _rules(request: web.Request) -> str:
    return str(request.app.router["nlp_rules"].url_for())


@routes.get("/nlp/try", name="nlp_try")
@allowed(ADMIN)
async def try_page(request: web.Request) -> web.Response:
    return page("nlp/try.html", request, {"me": request[ME], "tab": "try", "flash": None, "said": None, "text": ""})


@routes.post("/nlp/try", name="nlp_try_post")
@allowed(ADMIN)
async def try_it(request: web.Request) -> web.Response:
    """The serving classifier's answer for a text (rules first, as at intake); nothing is stored."""
    form = await request.post()
    text = str(form.get("text", ""))
    try:
        body = _checked(PredictBody, {"text": text})
    except DomainError as exc:
        said: dict[str, Any] = {"error": in_words(request, exc)}
    else:
        serving = request.config_dict[TUNING].serving
        p = serving.classify(body.text)
        said = {"code": p.code, "name": name_of(request, p.code), "confidence": p.confidence, "model": p.model,
                "top": named(request, [(s.code, s.score) for s in p.top]), "terms": list(p.terms),
                "severity": p.severity_hint, "places": list(p.places), "held": serving.triage(p)}
    name = "nlp/_try_result.html" if request.query.get("partial") == "1" else "nlp/try.html"
    return page(name, request, {"me": request[ME], "tab": "try", "flash": None, "said": said, "text": text[:2000]},
                400 if "error" in said else 200)
