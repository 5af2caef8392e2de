"""``/admin/v1/users``: staff users — list, create, edit, deactivate, rotate token (admin)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import Field

from bot.auth import actor, hash_token, new_token
from bot.jsonout import json_response
from bot.schemas import Strict, json_object
from bot.views.common import flag
from intake.cases.states import Role
from intake.errors import NotFound
from intake.org import users
from intake.org.users import StaffUser

routes = web.RouteTableDef()
BASE = "/users"  # under the admin sub-app (/admin/v1)


class UserPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    role: str | None = Field(default=None, max_length=16)
    grids: list[str] | None = Field(default=None, max_length=users.MAX_GRIDS)
    department_code: str | None = Field(default=None, max_length=64)
    wecom_userid: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    on_leave: bool | None = None
    substitute_id: int | None = Field(default=None, ge=1, lt=2**31)


class UserBody(UserPatch):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(max_length=16)


def present(staff: StaffUser) -> dict[str, Any]:
    u = staff.user
    return {"id": u.id, "name": u.name, "role": u.role, "grids": list(staff.grids),
            "department_code": u.department_code, "wecom_userid": u.wecom_userid, "phone": u.phone,
            "active": u.active, "on_leave": u.on_leave, "substitute_id": u.substitute_id, "origin": u.origin}


def _user_id(request: web.Request) -> int:
    raw = request.match_info["user_id"]
    if not (raw.isascii() and raw.isdigit() and int(raw) < 2**31):
        raise NotFound("no such user")
    return int(raw)


@routes.get(BASE)
async def list_users(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    q = request.query
    rows = await users.listing(role=q.get("role", "")[:16] or None, active=flag(request, "active"),
                               department=q.get("department", "")[:64] or None)
    return json_response({"total": len(rows), "items": [present(s) for s in rows]})


@routes.post(BASE)
async def create_user(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = UserBody.model_validate(await json_object(request))
    token = new_token()
    extra = body.model_dump(exclude_unset=True, exclude={"name", "role"})
    staff = await users.create(body.name, body.role, hash_token(token), extra)
    return json_response({**present(staff), "token": token}, status=201)


@routes.get(BASE + "/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    return json_response(present(await users.get(_user_id(request))))


@routes.patch(BASE + "/{user_id}")
async def edit_user(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    body = UserPatch.model_validate(await json_object(request))
    return json_response(present(await users.edit(_user_id(request), body.model_dump(exclude_unset=True))))


@routes.post(BASE + "/{user_id}/deactivate")
async def deactivate_user(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    return json_response(present(await users.deactivate(_user_id(request))))


@routes.post(BASE + "/{user_id}/rotate-token")
async def rotate_token(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    token = new_token()
    staff = await users.rotate_token(_user_id(request), hash_token(token))
    return json_response({**present(staff), "token": token})
