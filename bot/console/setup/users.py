"""Setup › Users: list and search, create, edit roles / grids / department / WeCom id, deactivate, and a new
console password (shown once, every session of the user ended)."""

from __future__ import annotations

import re
import secrets

from aiohttp import web

from bot.auth import hash_token, new_token
from bot.console.auth import sessions
from bot.console.setup.common import admin_only, done, field, routes, setup_page
from bot.keys import CASES
from bot.web.auth import Me
from bot.web.render import error_page, gettext, see_other
from intake import login_codes, passwords
from intake.errors import NotFound
from intake.org import departments, users
from intake.org.users import STAFF_ROLES

SHOWN = 200  # rows on one page; the search narrows a district's thousands
CODES = re.compile(r"[\s,;]+")


@routes.get("/setup", name="setup")
async def setup_home(request: web.Request) -> web.Response:
    return see_other(request.app.router["setup_users"].url_for())


@routes.get("/setup/users", name="setup_users")
@admin_only
async def user_list(request: web.Request, me: Me) -> web.Response:
    q = request.query.get("q", "").strip()[:100]
    found = [s for s in await users.listing() if _matches(s, q)]
    return await setup_page(request, me, "setup_users.html", "setup_users", {
        "q": q, "rows": found[:SHOWN], "total": len(found), "roles": sorted(STAFF_ROLES),
        "departments": await departments.listing(active=True)})


def _matches(staff: users.StaffUser, q: str) -> bool:
    u = staff.user
    return not q or any(q.lower() in str(v).lower() for v in (u.id, u.name, u.wecom_userid or "", u.phone or "",
                                                              u.role, u.department_code or "", *staff.grids))


def _changes(form: object) -> dict[str, object]:
    return {"name": field(form, "name", 100), "role": field(form, "role", 16),
            "grids": [g for g in CODES.split(field(form, "grids", 20_000)) if g],
            "department_code": field(form, "department") or None,
            "wecom_userid": field(form, "wecom_userid", 64), "phone": field(form, "mobile", 32)}


@routes.post("/setup/users", name="setup_user_add")
@admin_only
async def user_add(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)

    async def work() -> str:
        changes = _changes(form)
        name, role = str(changes.pop("name")), str(changes.pop("role"))
        staff = await users.create(name, role, hash_token(new_token()), changes)
        return _("Created user {id} ({name}).").format(id=staff.user.id, name=staff.user.name)

    return await done(request, me, str(request.app.router["setup_users"].url_for()), work)


@routes.get("/setup/users/{user_id}", name="setup_user")
@admin_only
async def user_page(request: web.Request, me: Me) -> web.Response:
    return await _user(request, me, None)


async def _user(request: web.Request, me: Me, new_password: str | None, login_code: str | None = None) -> web.Response:
    raw = request.match_info["user_id"]
    try:
        staff = await users.get(int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    except NotFound:
        staff = None
    if staff is None:
        return error_page(request, 404, gettext(request)("There is no such user."))
    return await setup_page(request, me, "setup_user.html", "setup_users", {
        "staff": staff, "roles": sorted(STAFF_ROLES), "departments": await departments.listing(),
        "new_password": new_password, "login_code": login_code})


@routes.post("/setup/users/{user_id}", name="setup_user_post")
@admin_only
async def user_post(request: web.Request, me: Me) -> web.StreamResponse:
    form, _ = await request.post(), gettext(request)
    raw, action = request.match_info["user_id"], field(form, "action", 20)
    uid = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
    target = str(request.app.router["setup_user"].url_for(user_id=str(uid)))
    if action == "password":
        return await _new_password(request, me, uid)
    if action == "login_code":
        return await _login_code(request, me, uid)

    async def work() -> str:
        if action == "deactivate":
            await users.deactivate(uid)
            await sessions(request).sign_out_everywhere(uid)
            return _("User {id} is deactivated.").format(id=uid)
        await users.edit(uid, _changes(form))
        return _("Saved.")

    return await done(request, me, target, work)


async def _login_code(request: web.Request, me: Me, uid: int) -> web.StreamResponse:
    """A one-time code for the worker pages on a new phone (as ``gridline worker code``), shown once here."""
    try:
        code = await login_codes.issue(uid, request.config_dict[CASES].clock())
    except NotFound:
        return error_page(request, 404, gettext(request)("There is no such user."))
    return await _user(request, me, None, code)


async def _new_password(request: web.Request, me: Me, uid: int) -> web.StreamResponse:
    """A random console password, shown once on this page (never in a flash stored away)."""
    password = secrets.token_urlsafe(12)
    try:
        await passwords.set_password(uid, password, request.config_dict[CASES].clock())
    except NotFound:
        return error_page(request, 404, gettext(request)("There is no such user."))
    await sessions(request).sign_out_everywhere(uid)
    return await _user(request, me, password)
