"""The OpenAPI 3.1 document of ``/mp/v1``, generated from the pydantic models the handlers validate
and answer with, and a small self-contained HTML page listing its operations."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.jsonout import json_response
from bot.mp import replies as r
from bot.mp import schemas as s

routes = web.RouteTableDef()
Model = type[BaseModel]
PAGE_QUERY = ("page", "per_page")
REASONS = {400: "invalid request", 401: "no valid session", 404: "not found (or not yours)", 409: "not in a state "
           "that allows it", 413: "file too large", 415: "not a JPEG, PNG or WebP image",
           429: "rate limited (see Retry-After)", 502: "WeChat answered an error", 503: "WeChat unavailable"}


@dataclass(frozen=True, slots=True)
class Op:
    method: str
    path: str
    summary: str
    body: Model | str | None
    ok: tuple[int, Model | str]
    errors: tuple[int, ...] = (400, 401)
    auth: bool = True
    query: tuple[str, ...] = ()


CASE = "/mp/v1/reports/{case_no}"
OPS = (
    Op("post", "/mp/v1/login", "Log in with a wx.login() code", s.LoginBody, (200, r.LoginReply),
       (400, 401, 429, 502, 503), auth=False),
    Op("post", "/mp/v1/phone", "Bind the phone number (stored masked)", s.PhoneBody, (200, r.PhoneReply),
       (400, 401, 429, 502, 503)),
    Op("post", "/mp/v1/media", "Upload one photo (multipart part 'file', ≤ 5 MB)", "multipart",
       (201, r.MediaReply), (400, 401, 413, 415, 429, 503)),  # 503: the decoding pool is over its budget
    Op("get", "/mp/v1/media/{media_id}", "One of your photos, as stored", None, (200, "image"), (401, 404)),
    Op("post", "/mp/v1/reports", "File a report", s.ReportBody, (201, r.ReportReply), (400, 401, 429)),
    Op("get", "/mp/v1/reports", "Your reports (relation=own) or those you seconded", None, (200, r.ReportPage),
       query=(*PAGE_QUERY, "relation", "lang")),
    Op("get", CASE, "One report: yours in full, a seconded one in its public view", None, (200, r.ReportView),
       (401, 404), query=("lang",)),
    Op("post", CASE + "/second", "Second (附议) someone's report", None, (200, r.ReportView),
       (401, 404, 409, 429)),
    Op("post", CASE + "/withdraw", "Withdraw (撤件) your report before dispatch", s.WithdrawBody,
       (200, r.ReportView), (400, 401, 404, 409)),
    Op("post", CASE + "/urge", "催办: urge your open report (once per configured hours)", None, (200, r.ReportView),
       (401, 404, 409, 429)),
    Op("post", CASE + "/supplement", "补充: add text or a location to your open report", s.SupplementBody,
       (200, r.ReportView), (400, 401, 404, 409)),
    Op("get", "/mp/v1/grid-worker", "我的网格员: your grid worker's card", None, (200, r.WorkerCard), (401, 404)),
    Op("post", CASE + "/rating", "Rate your closed report", s.RatingBody, (201, r.RatingReply),
       (400, 401, 404, 409)),
    Op("post", "/mp/v1/subscriptions", "Record wx.requestSubscribeMessage answers", s.SubscriptionBody,
       (200, r.Credits)),
    Op("get", "/mp/v1/subscriptions", "Subscription credits held", None, (200, r.Credits), (401,)),
    Op("put", "/mp/v1/alert-places", "Set home and work places for alerts", s.AlertPlacesBody,
       (200, r.AlertPlaces)),
    Op("get", "/mp/v1/alert-places", "Alert places held", None, (200, r.AlertPlaces), (401,)),
    Op("get", "/mp/v1/me/data", "Everything held about you, as one JSON document (PIPL)", None, (200, r.MyData),
       (401, 429)),
    Op("post", "/mp/v1/me/erase", "Delete your personal data: ended reports now, open ones when they end",
       s.ErasureBody, (200, r.ErasureReply), (400, 401, 429)),
)
QUERY: dict[str, dict[str, Any]] = {
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    "relation": {"type": "string", "enum": ["own", "seconded"], "default": "own"},
    "lang": {"type": "string", "enum": ["zh_CN", "en", "zh_HK"]},
}
PATH_PARAMS = {"case_no": r"^\d{6}-?\d{8}-?\d{5}-?\d$", "media_id": s.MEDIA_ID}


@cache
def document() -> dict[str, Any]:
    bodies = {op.body for op in OPS if isinstance(op.body, type)}
    answers = {op.ok[1] for op in OPS if isinstance(op.ok[1], type)} | {r.ErrorReply}
    models: list[tuple[Model, JsonSchemaMode]] = [(m, "validation") for m in bodies]
    models += [(m, "serialization") for m in answers]
    refs, defs = models_json_schema(models, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for op in OPS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "gridline mini-program API", "version": "1",
                 "description": "Residents' reports from the WeChat mini-program. Errors answer "
                                "{error, message, details}: a machine code and an English message."},
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}),
                       "securitySchemes": {"session": {"type": "http", "scheme": "bearer"}}},
    }


def _operation(op: Op, refs: dict[Any, Any]) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": refs[(r.ErrorReply, "serialization")]}}}
    status, ok = op.ok
    kind, schema = ("image/*", {"type": "string", "format": "binary"}) if ok == "image" else \
        ("application/json", refs[(ok, "serialization")])
    body = {"content": {kind: {"schema": schema}}}
    out: dict[str, Any] = {
        "summary": op.summary, "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_')}",
        "responses": {str(status): {"description": "OK", **body},
                      **{str(code): {"description": REASONS[code], **error} for code in op.errors}},
        "security": [{"session": []}] if op.auth else [],
    }
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string", "pattern": p}}
              for n, p in PATH_PARAMS.items() if "{" + n + "}" in op.path]
    params += [{"name": q, "in": "query", "required": False, "schema": QUERY[q]} for q in op.query]
    if params:
        out["parameters"] = params
    if op.body == "multipart":
        schema = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string",
                                                                                   "format": "binary"}}}
        out["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    elif isinstance(op.body, type):
        out["requestBody"] = {"required": op.body is not s.WithdrawBody,
                              "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    return out


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(document())


@routes.get("/docs")
async def docs(request: web.Request) -> web.Response:
    rows = "".join(
        f"<tr><td><code>{op.method.upper()}</code></td><td><code>{html.escape(op.path)}</code></td>"
        f"<td>{html.escape(op.summary)}</td><td>{'session' if op.auth else '—'}</td>"
        f"<td>{op.ok[0]}, {', '.join(str(c) for c in op.errors)}</td></tr>" for op in OPS)
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>gridline mini-program API</title>"
            f"<style>{STYLE}</style><h1>gridline mini-program API <small>/mp/v1</small></h1>"
            f"<p>Machine-readable: <a href=openapi.json>openapi.json</a> (OpenAPI 3.1). Send "
            f"<code>Authorization: Bearer &lt;token from /login&gt;</code>.</p><table><tr><th>method<th>path"
            f"<th>what<th>auth<th>statuses</tr>{rows}</table></html>")
    return web.Response(text=page, content_type="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


STYLE = ("body{font:15px system-ui,sans-serif;margin:2em;max-width:72em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}small{color:#666}")
