"""Taxonomy endpoints: list and read for staff, add / rename / retire / re-parent for admins."""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES
from bot.schemas import CategoryBody, CategoryPatch, json_object
from bot.views import serialize
from bot.views.common import flag, lang
from intake.cases.states import Role
from intake.errors import NotFound
from intake.store.models import TaxonomyChange, TaxonomyVersion

routes = web.RouteTableDef()


@routes.get("/taxonomy")
async def list_categories(request: web.Request) -> web.Response:
    actor(request)
    store = request.config_dict[CASES].taxonomy
    retired = bool(flag(request, "include_retired"))
    language = lang(request)
    items = [serialize.category(c, language) for c in store.catalog if retired or not c.retired]
    return json_response({"version": store.version, "items": items})


@routes.get("/taxonomy/versions")
async def versions(request: web.Request) -> web.Response:
    actor(request)
    rows = await TaxonomyVersion.all().order_by("-version").limit(100)
    changes = await TaxonomyChange.filter(version__in=[r.version for r in rows]).order_by("version")
    by_version: dict[int, list[dict[str, object]]] = {}
    for ch in changes:
        by_version.setdefault(ch.version, []).append({"code": ch.code, "op": ch.op})
    return json_response({"items": [{"version": r.version, "actor": r.actor, "note": r.note,
                                         "at": r.created_at.isoformat(), "changes": by_version.get(r.version, [])}
                                        for r in rows]})


@routes.get("/taxonomy/{code}")
async def get_category(request: web.Request) -> web.Response:
    actor(request)
    found = request.config_dict[CASES].taxonomy.catalog.find(request.match_info["code"])
    if found is None:
        raise NotFound(f"no category {request.match_info['code']!r}")
    return json_response(serialize.category(found, lang(request)))


@routes.post("/taxonomy")
async def add_category(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    body = CategoryBody.model_validate(await json_object(request))
    store = request.config_dict[CASES].taxonomy
    created = await store.add(who.ref, body.model_dump())
    return json_response({**serialize.category(created, lang(request)), "version": store.version},
                             status=201)


@routes.patch("/taxonomy/{code}")
async def change_category(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    body = CategoryPatch.model_validate(await json_object(request))
    store = request.config_dict[CASES].taxonomy
    changed = await store.update(who.ref, request.match_info["code"], body.model_dump(exclude_unset=True))
    return json_response({**serialize.category(changed, lang(request)), "version": store.version})
