"""Setup › Departments (条线): each with its line, region, contact mail and WeCom group; create, edit, deactivate."""

from __future__ import annotations

from aiohttp import web

from bot.console.setup.common import admin_only, done, field, routes, setup_page
from bot.keys import CASES
from bot.web.auth import Me
from bot.web.render import gettext
from intake.org import departments
from intake.org.departments import DepartmentSpec


@routes.get("/setup/departments", name="setup_departments")
@admin_only
async def department_list(request: web.Request, me: Me) -> web.Response:
    lines = sorted(request.config_dict[CASES].taxonomy.catalog.departments.values(), key=lambda d: d.code)
    return await setup_page(request, me, "setup_departments.html", "setup_departments", {
        "rows": await departments.listing(), "lines": lines})


def _fields(form: object) -> dict[str, str | None]:
    return {"line": field(form, "line", 40), "name": field(form, "name", 100),
            "region_code": field(form, "region_code", 20), "email": field(form, "email") or None,
            "wecom_group": field(form, "wecom_group") or None}


@routes.post("/setup/departments", name="setup_department_add")
@admin_only
async def department_add(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)

    async def work() -> str:
        given = _fields(form)
        made = await departments.create(DepartmentSpec(field(form, "code", 64), str(given["line"]),
                                                       str(given["name"]), str(given["region_code"]),
                                                       given["email"], given["wecom_group"]))
        return _("Created department {code}.").format(code=made.code)

    return await done(request, me, str(request.app.router["setup_departments"].url_for()), work)


@routes.post("/setup/departments/{code}", name="setup_department_post")
@admin_only
async def department_post(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    code = request.match_info["code"][:64]

    async def work() -> str:
        if field(form, "action", 20) == "deactivate":
            await departments.deactivate(code)
            return _("Department {code} is deactivated.").format(code=code)
        await departments.edit(code, {**_fields(form), "active": True})
        return _("Saved.")

    return await done(request, me, str(request.app.router["setup_departments"].url_for()), work)
