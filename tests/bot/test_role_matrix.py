"""The role matrix over HTTP: every /admin/v1 route × every staff role.

Fails when a served route has no entry in ``bot.roles.MATRIX`` (or an entry names no served route).
A role outside an entry gets 403 before the view runs; a role inside it gets past the matrix: the probe
uses ids that do not exist and a broken JSON body, so an allowed request stops at 400/404 in the view
and changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.roles import MATRIX, markdown
from intake.cases.states import Role
from tests.bot.conftest import Api, Staff, _staff

ROOT = Path(__file__).resolve().parents[2]
ROLES = (Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.WORKER, Role.DEPARTMENT)
# Allowed calls that take no id and read no body would act for real: their "allowed" side is not probed.
NOT_PROBED = {("POST", "/admin/v1/nlp/rollback"), ("DELETE", "/admin/v1/nlp/shadow"),
              ("POST", "/admin/v1/nlp/shadow/run")}


def served(api: Api) -> set[tuple[str, str]]:
    apps = [api.client.app, *getattr(api.client.app, "_subapps", [])]
    return {(route.method, route.resource.canonical) for app in apps for route in app.router.routes()
            if route.resource is not None and route.resource.canonical.startswith("/admin/")
            and route.method != "HEAD"}


async def tokens(api: Api) -> dict[Role, Staff]:
    if "matrix" not in api.memo:
        api.memo["matrix"] = {
            Role.ADMIN: api.staff["admin"], Role.DISPATCHER: api.staff["desk"], Role.WORKER: api.staff["w1"],
            Role.SUPERVISOR: await _staff("API 督查员", "supervisor"),
            Role.DEPARTMENT: await _department_user()}
    return dict(api.memo["matrix"])


async def _department_user() -> Staff:
    staff = await _staff("API 水务局", "department")
    from intake.store.models import User

    await User.filter(id=staff.user_id).update(department_code="440307-water")
    return staff


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "44030700000000000" if "case" in m.group(0) else "999999999", path)


async def test_every_admin_route_is_in_the_matrix(api: Api) -> None:
    routes = served(api)
    assert routes - set(MATRIX) == set(), "routes without a role matrix entry (add them to bot/roles.py)"
    assert set(MATRIX) - routes == set(), "matrix entries for routes that are not served"


def test_the_readme_shows_the_matrix() -> None:
    assert markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_exactly_what_the_matrix_gives(api: Api, role: Role) -> None:
    staff = (await tokens(api))[role]
    wrong = []
    for method, path in sorted(served(api)):
        allowed = role in MATRIX.get((method, path), frozenset())
        if allowed and (method, path) in NOT_PROBED:
            continue
        data = None if method == "GET" else b"{"
        headers = {"Authorization": f"Bearer {staff.token}", "Content-Type": "application/json"}
        async with api.client.request(method, concrete(path), data=data, headers=headers) as resp:
            body = await resp.json() if resp.content_type == "application/json" else {}
            refused_by_matrix = resp.status == 403 and (
                "role matrix" in body.get("message", "") or f"may not {method}" in body.get("message", ""))
            if allowed == refused_by_matrix or (allowed and resp.status == 403) or (not allowed and resp.status != 403):
                wrong.append((method, path, resp.status, body.get("message")))
    assert wrong == [], f"{role}: {wrong}"
