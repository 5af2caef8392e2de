"""Setup › Categories: the taxonomy tree with each category's handler, department line, severity and time
limit; add a local category, rename, edit, retire with a successor. Every change is a new taxonomy version
(``intake.taxonomy.store``): codes never change, so cases and labels keep their category."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.console.setup.common import admin_only, done, field, routes, setup_page
from bot.keys import CASES
from bot.schemas import CategoryBody, CategoryPatch
from bot.web.auth import Me
from bot.web.render import error_page, gettext, language
from intake.store.models import TaxonomyVersion

OPERATIONAL = ("name_zh", "name_en", "severity", "handler", "department")
SEVERITIES = {"red": "urgent (red)", "yellow": "pressing (yellow)", "blue": "ordinary (blue)"}  # msgids


def _words(request: web.Request) -> dict[str, object]:
    """What the tree and the forms name lines and severities with."""
    departments = request.config_dict[CASES].taxonomy.catalog.departments
    zh = language(request).startswith("zh")
    return {"severities": SEVERITIES,
            "line_names": {code: d.name_zh if zh else d.name_en for code, d in departments.items()}}


@routes.get("/setup/categories", name="setup_categories")
@admin_only
async def category_tree(request: web.Request, me: Me) -> web.Response:
    store = request.config_dict[CASES].taxonomy
    q = request.query.get("q", "").strip()[:60]
    catalog = store.catalog
    tree = [(major, [c for c in catalog.children(major.code) if _matches(c.code, c.name_zh, c.name_en, q)])
            for major in catalog.majors()]
    return await setup_page(request, me, "setup_categories.html", "setup_categories", {
        "tree": [(m, kids) for m, kids in tree if kids or not q], "q": q, "version": store.version,
        "language": language(request), "lines": sorted(catalog.departments), "majors": catalog.majors(),
        "versions": await TaxonomyVersion.all().order_by("-version").limit(10), **_words(request)})


def _matches(code: str, zh: str, en: str, q: str) -> bool:
    return not q or q in code or q in zh or q.lower() in en.lower()


@routes.get("/setup/categories/{code}", name="setup_category")
@admin_only
async def category_page(request: web.Request, me: Me) -> web.Response:
    catalog = request.config_dict[CASES].taxonomy.catalog
    found = catalog.find(request.match_info["code"][:16])
    if found is None:
        return error_page(request, 404, gettext(request)("There is no such category."))
    return await setup_page(request, me, "setup_category.html", "setup_categories", {
        "c": found, "lines": sorted(catalog.departments),
        "successors": [c for c in catalog.leaves() if c.code != found.code], **_words(request)})


def _operational(form: Any) -> dict[str, Any]:
    out: dict[str, Any] = {name: field(form, name, 100) or None for name in OPERATIONAL}
    hours = field(form, "time_limit_hours", 8)
    out["time_limit_hours"] = int(hours) if hours.isdigit() else (hours or None)
    return out


@routes.post("/setup/categories", name="setup_category_add")
@admin_only
async def category_add(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    store = request.config_dict[CASES].taxonomy

    async def work() -> str:
        body = CategoryBody.model_validate({**{k: v for k, v in _operational(form).items() if v is not None},
                                            "code": field(form, "code", 16), "parent": field(form, "parent", 2)})
        made = await store.add(me.actor.ref, body.model_dump())
        return _("Added category {code}; taxonomy version {version}.").format(code=made.code, version=store.version)

    return await done(request, me, str(request.app.router["setup_categories"].url_for()), work)


@routes.post("/setup/categories/{code}", name="setup_category_post")
@admin_only
async def category_post(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    store, code = request.config_dict[CASES].taxonomy, request.match_info["code"][:16]

    async def work() -> str:
        if field(form, "action", 20) == "retire":
            changes: dict[str, Any] = {"retired": True, "successor": field(form, "successor", 16) or None}
        else:
            changes = _operational(form)
        patch = CategoryPatch.model_validate(changes)
        await store.update(me.actor.ref, code, patch.model_dump(exclude_unset=True))
        return _("Saved; taxonomy version {version}.").format(version=store.version)

    return await done(request, me, str(request.app.router["setup_category"].url_for(code=code)), work)
