"""Triage at the console: the held cases one at a time, what teaches the model most first (#17).

The queue and the decision are ``intake.tuning.triage``'s, as in the admin API. A decision posted by
the page's script answers with the next case's fragment (a partial update); without the script the
form posts, redirects and the page shows the next case. Dispatchers triage too.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.console.auth import ME
from bot.console.nlp.common import TRIAGERS, allowed, flash, flash_and_go, in_words, leaves, name_of, named
from bot.keys import CASES, TUNING
from bot.web.render import page
from intake.cases.numbers import parse_case_no
from intake.errors import DomainError, NotFound
from intake.privacy import reads
from intake.tuning import triage
from notify.mask import mask_text

routes = web.RouteTableDef()
FIRST = 3  # the candidates shown first and largest (#17: top-3 accuracy is what a person sees)


def _order(raw: object) -> str:
    return str(raw) if raw in triage.ORDERS else "learning"


async def _next(request: web.Request, order: str) -> dict[str, Any]:
    """The case to decide now and how many wait, as the fragment's context."""
    total, rows = await triage.queue(request[ME].actor, 0, 1, order)
    if not rows:
        return {"item": None, "total": 0, "order": order}
    item, case = rows[0]
    me, now = request[ME], request.config_dict[CASES].clock()
    await reads.record(me.actor, case.case_no, "console triage", ("description",), now)  # PIPL: who read it
    said = request.config_dict[TUNING].serving.classify(case.description)  # the driving words of the text
    top = named(request, item.top)
    return {"item": item, "case": case, "text": mask_text(case.description), "total": total, "order": order,
            "first": top[:FIRST], "more": top[FIRST:], "terms": list(said.terms)[:10],
            "predicted": name_of(request, item.predicted), "all": leaves(request)}


@routes.get("/nlp", name="nlp")
async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(request.app.router["nlp_triage"].url_for())


@routes.get("/nlp/triage", name="nlp_triage")
@allowed(TRIAGERS)
async def triage_page(request: web.Request) -> web.Response:
    context = await _next(request, _order(request.query.get("order")))
    return page("nlp/triage.html", request, {**context, "me": request[ME], "flash": await flash(request),
                                             "tab": "triage", "done": None})


@routes.get("/nlp/triage/next", name="nlp_triage_next")
@allowed(TRIAGERS)
async def next_case(request: web.Request) -> web.Response:
    context = await _next(request, _order(request.query.get("order")))
    return page("nlp/_triage_case.html", request, {**context, "me": request[ME], "done": None})


@routes.post("/nlp/triage/{case_no}", name="nlp_decide")
@allowed(TRIAGERS)
async def decide(request: web.Request) -> web.Response:
    form = await request.post()
    order, partial = _order(form.get("order")), form.get("partial") == "1"
    case_no, code = parse_case_no(request.match_info["case_no"]), str(form.get("category", ""))[:16]
    try:
        if case_no is None:
            raise NotFound("no such case number")
        case = await triage.decide(request.config_dict[CASES], case_no, code, request[ME].actor)
    except DomainError as exc:
        outcome = {"kind": "error", "text": in_words(request, exc)}
    else:
        outcome = {"kind": "ok", "text": f"{case.case_no} → {name_of(request, case.category_code)}"}
    if not partial:
        where = str(request.app.router["nlp_triage"].url_for().with_query(order=order))
        return await flash_and_go(request, where, outcome["text"], outcome["kind"])
    context = await _next(request, order)
    return page("nlp/_triage_case.html", request, {**context, "me": request[ME], "done": outcome})
