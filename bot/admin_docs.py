"""The OpenAPI 3.1 document of ``/admin/v1`` and a page listing it, generated from what the API really does.

Nothing is written twice: the operations are the admin app's routes, each request body is the pydantic
model its handler validates (found in the handler's source), the roles are :data:`bot.roles.MATRIX`
and the query parameters :data:`bot.queries.QUERY`. A new route or field appears here by itself.
Both routes are open (:data:`bot.roles.OPEN`): the shape of the API is no secret, its data is.
"""

from __future__ import annotations

import html
import inspect
import re
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot import queries, roles
from bot.jsonout import json_response

routes = web.RouteTableDef()
V = roles.V
VALIDATES = re.compile(r"\b([A-Z]\w+)\.model_validate\(")
STATUS = re.compile(r"status=(20[0-9])")
# Bodies that are not JSON: what the handler reads instead.
RAW_BODIES = {("POST", f"{V}/alerts/cap"): ("application/xml", "a CAP 1.2 <alert> document"),
              ("POST", f"{V}/nlp/labels/import"): ("text/csv", "text,label rows (UTF-8, header line)")}
# A body read field by field instead of through a model: its schema written here.
PLAIN_BODIES = {("PUT", f"{V}/grid-groups/{{grid_code}}"): {
    "type": "object", "required": ["webhook_key"],
    "properties": {"webhook_key": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,100}$",
                                   "description": "the WeCom group robot's key (from its webhook URL)"}}}}
INTEGERS = {"page", "per_page", "min_sample", "n", "limit", "user_id"}
ERRORS = {400: "invalid request (the message says what; unknown query parameters are named)",
          401: "no valid bearer token", 403: "this role may not (see x-roles)", 404: "not found",
          409: "not in a state that allows it"}
ERROR_SCHEMA = {"type": "object", "required": ["error", "message"],
                "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                               "details": {"type": "object"}}}


def _handler_source(handler: Any) -> str:
    try:
        return inspect.getsource(handler)
    except (OSError, TypeError):
        return ""


def _body_model(handler: Any) -> type[BaseModel] | None:
    source, names = _handler_source(handler), getattr(handler, "__globals__", {})
    for name in VALIDATES.findall(source):
        found = names.get(name)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return None


def operations(app: web.Application) -> list[tuple[str, str, Any]]:
    """``(method, path, handler)`` of every admin route (HEAD is GET's)."""
    found = [(r.method, r.resource.canonical, r.handler) for r in app.router.routes()
             if r.resource is not None and r.method != "HEAD"]
    # Mounted, the sub-app's paths carry the prefix; built alone (a CLI, a test) they do not.
    return sorted(((m, p if p.startswith(V + "/") else V + p, h) for m, p, h in found), key=lambda o: (o[1], o[0]))


@cache
def document(app: web.Application) -> dict[str, Any]:
    ops = operations(app)
    bodies = {(m, p): model for m, p, h in ops if (model := _body_model(h)) is not None}
    refs, defs = models_json_schema([(m, "validation") for m in set(bodies.values())],
                                    ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler in ops:
        model = bodies.get((method, path))
        paths.setdefault(path, {})[method.lower()] = _operation(
            method, path, handler, refs[(model, "validation")] if model else None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "gridline admin API", "version": "1",
                 "description": "The staff's API: cases, organisation, grid, taxonomy, messages, alerts, "
                                "surveys, statistics and the classifier. Send `Authorization: Bearer <token>` "
                                "(GRIDLINE_ADMIN_TOKEN for a first admin; POST /admin/v1/users for staff). "
                                "`x-roles` lists the roles that may call an operation (bot/roles.py). "
                                "Errors answer {error, message, details}; JSON is UTF-8."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": {**defs.get("$defs", {}), "Error": ERROR_SCHEMA},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _operation(method: str, path: str, handler: Any, body: dict[str, Any] | None) -> dict[str, Any]:
    doc = inspect.getdoc(handler) or handler.__name__.replace("_", " ")
    source = _handler_source(handler)
    ok = STATUS.search(source)
    allowed = roles.MATRIX.get((method, path), frozenset())
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out: dict[str, Any] = {
        "summary": doc.splitlines()[0][:120], "description": doc,
        "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path.removeprefix(V)).strip('_')}",
        "tags": [path.removeprefix(V + "/").split("/")[0]],
        "x-roles": [str(r) for r in roles.ORDER if r in allowed],
        "security": [] if (method, path) in roles.OPEN else [{"bearer": []}],
        "responses": {ok.group(1) if ok else "200": {"description": "OK"},
                      **{str(c): {"description": d, **error} for c, d in ERRORS.items()}},
    }
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"\{(\w+)\}", path)]
    names = sorted(queries.QUERY.get((method, path), frozenset()) | queries.COMMON)
    params += [{"name": n, "in": "query", "required": False,
                "schema": {"type": "integer", "minimum": 1} if n in INTEGERS else {"type": "string"}}
               for n in names]
    out["parameters"] = params
    if body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    elif (method, path) in PLAIN_BODIES:
        out["requestBody"] = {"required": True,
                              "content": {"application/json": {"schema": PLAIN_BODIES[(method, path)]}}}
    elif (method, path) in RAW_BODIES:
        kind, what = RAW_BODIES[(method, path)]
        out["requestBody"] = {"required": True, "description": what,
                              "content": {kind: {"schema": {"type": "string"}}}}
    return out


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """This document (OpenAPI 3.1)."""
    return json_response(document(request.app))


@routes.get("/docs")
async def docs(request: web.Request) -> web.Response:
    """A page listing every operation, its roles and its body."""
    rows = "".join(
        f"<tr><td><code>{m.upper()}</code></td><td><code>{html.escape(p)}</code></td>"
        f"<td>{html.escape(op['summary'])}</td><td>{', '.join(op['x-roles']) or '—'}</td>"
        f"<td>{html.escape(_body_name(op))}</td>"
        f"<td>{html.escape(', '.join(q['name'] for q in op['parameters'] if q['in'] == 'query'))}</td></tr>"
        for p, item in document(request.app)["paths"].items() for m, op in item.items())
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>gridline admin API</title>"
            f"<style>{STYLE}</style><h1>gridline admin API <small>/admin/v1</small></h1>"
            f"<p>Machine-readable: <a href=openapi.json>openapi.json</a> (OpenAPI 3.1, request bodies as JSON "
            f"Schema). Send <code>Authorization: Bearer &lt;token&gt;</code>.</p><table><tr><th>method<th>path"
            f"<th>what<th>roles<th>body<th>query</tr>{rows}</table></html>")
    return web.Response(text=page, content_type="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


def _body_name(op: dict[str, Any]) -> str:
    content = op.get("requestBody", {}).get("content", {})
    for kind, media in content.items():
        ref = str(media.get("schema", {}).get("$ref", ""))
        return ref.rsplit("/", 1)[-1] if ref else str(kind)
    return ""


STYLE = ("body{font:15px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}small{color:#666}")
