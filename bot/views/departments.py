"""``/admin/v1/departments``: list, create, edit and deactivate line departments (条线)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import Field

from bot.auth import actor
from bot.jsonout import json_response
from bot.schemas import Strict, json_object
from bot.views.common import flag
from intake.cases.states import Role
from intake.org import departments
from intake.org.departments import DepartmentSpec
from intake.store.models import Department

routes = web.RouteTableDef()
BASE = "/departments"  # under the admin sub-app (/admin/v1)


class DepartmentBody(Strict):
    code: str = Field(min_length=1, max_length=64)
    line: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    region_code: str = Field(min_length=1, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    wecom_group: str | None = Field(default=None, max_length=200)


class DepartmentPatch(Strict):
    line: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    region_code: str | None = Field(default=None, min_length=1, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    wecom_group: str | None = Field(default=None, max_length=200)
    active: bool | None = None


def present(d: Department) -> dict[str, Any]:
    return {"code": d.code, "line": d.line, "name": d.name, "region_code": d.region_code, "email": d.email,
            "wecom_group": d.wecom_group, "active": d.active}


@routes.get(BASE)
async def list_departments(request: web.Request) -> web.Response:
    actor(request)
    q = request.query
    rows = await departments.listing(line=q.get("line", "")[:40] or None, region=q.get("region", "")[:20] or None,
                                     active=flag(request, "active"))
    return json_response({"total": len(rows), "items": [present(d) for d in rows]})


@routes.post(BASE)
async def create_department(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = DepartmentBody.model_validate(await json_object(request))
    return json_response(present(await departments.create(DepartmentSpec(**body.model_dump()))), status=201)


@routes.get(BASE + "/{code}")
async def get_department(request: web.Request) -> web.Response:
    actor(request)
    return json_response(present(await departments.get(request.match_info["code"])))


@routes.patch(BASE + "/{code}")
async def edit_department(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = DepartmentPatch.model_validate(await json_object(request))
    changes = body.model_dump(exclude_unset=True)
    return json_response(present(await departments.edit(request.match_info["code"], changes)))


@routes.post(BASE + "/{code}/deactivate")
async def deactivate_department(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    return json_response(present(await departments.deactivate(request.match_info["code"])))
