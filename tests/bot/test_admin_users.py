"""Staff users over the admin API: list, create, edit, deactivate, rotate token; department users; duty."""

from __future__ import annotations

from typing import Any

import pytest

from intake.store.models import User
from tests.bot.conftest import Api, act, open_case

BASE = "/admin/v1/users"


async def as_token(api: Api, token: str, method: str, path: str, json: Any = None) -> int:
    async with api.client.request(method, path, json=json, headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status


async def new_user(api: Api, uid: str, **body: Any) -> dict[str, Any]:
    reply = await api.call("POST", BASE, json={"name": f"测试{uid}", "role": "worker", **body})
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def test_create_list_edit(api: Api, uid: str) -> None:
    made = await new_user(api, uid, grids=[api.leaves[0]], wecom_userid=f"wx-{uid}", phone="13800001111")
    assert await as_token(api, made["token"], "GET", "/admin/v1/cases") == 200
    listed = await api.call("GET", BASE, params={"role": "worker", "active": "true"})
    mine = next(u for u in listed.body["items"] if u["id"] == made["id"])
    assert (mine["grids"], mine["wecom_userid"], mine["phone"]) == ([api.leaves[0]], f"wx-{uid}", "13800001111")
    assert "token" not in mine and all("token" not in u for u in listed.body["items"])
    edited = await api.call("PATCH", f"{BASE}/{made['id']}", json={"role": "department",
                                                                  "department_code": "440307-water",
                                                                  "grids": [], "phone": ""})
    assert edited.status == 200, edited.body
    assert (edited.body["role"], edited.body["department_code"], edited.body["grids"], edited.body["phone"]) == \
        ("department", "440307-water", [], None)


async def test_deactivated_user_loses_access_at_once(api: Api, uid: str) -> None:
    made = await new_user(api, uid)
    assert await as_token(api, made["token"], "GET", "/admin/v1/cases") == 200
    assert (await api.call("POST", f"{BASE}/{made['id']}/deactivate")).body["active"] is False
    assert await as_token(api, made["token"], "GET", "/admin/v1/cases") == 401


async def test_rotated_token_replaces_the_old_one(api: Api, uid: str) -> None:
    made = await new_user(api, uid)
    rotated = await api.call("POST", f"{BASE}/{made['id']}/rotate-token")
    assert rotated.status == 200 and rotated.body["token"] != made["token"]
    assert await as_token(api, made["token"], "GET", "/admin/v1/cases") == 401
    assert await as_token(api, rotated.body["token"], "GET", "/admin/v1/cases") == 200


@pytest.mark.parametrize("patch", [
    {"role": "root"}, {"grids": ["999999999"]}, {"department_code": "no-such"}, {"role": "department"},
    {"wecom_userid": "has space"}, {"phone": "call me"}, {"substitute_id": 2**30}, {"token_hash": "x"},
    {"name": ""}, {"grids": "440307"}])
async def test_bad_edits_are_400_and_change_nothing(api: Api, uid: str, patch: dict[str, Any]) -> None:
    made = await new_user(api, uid, grids=[api.leaves[0]])
    reply = await api.call("PATCH", f"{BASE}/{made['id']}", json=patch)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    after = (await api.call("GET", f"{BASE}/{made['id']}")).body
    assert {k: after[k] for k in ("role", "grids", "department_code")} == \
        {"role": "worker", "grids": [api.leaves[0]], "department_code": None}


@pytest.mark.parametrize("who", ["desk", "street", "w1"])
async def test_user_management_needs_an_admin(api: Api, uid: str, who: str) -> None:
    target = api.staff["w2"].user_id
    assert (await api.call("GET", BASE, who)).status == 403
    assert (await api.call("POST", BASE, who, json={"name": uid, "role": "admin"})).status == 403
    assert (await api.call("PATCH", f"{BASE}/{target}", who, json={"role": "admin"})).status == 403
    assert (await api.call("POST", f"{BASE}/{target}/deactivate", who)).status == 403
    assert (await api.call("POST", f"{BASE}/{target}/rotate-token", who)).status == 403
    assert (await User.get(id=target)).role == "worker" and not await User.exists(name=uid)


async def test_a_department_user_works_their_department_cases_only(api: Api, uid: str) -> None:
    water = await new_user(api, uid, role="department", department_code="440307-water")
    transport = await new_user(api, uid + "t", role="department", department_code="440307-transport")
    case_no = await open_case(api, uid)
    path = f"/admin/v1/cases/{case_no}"
    assert await as_token(api, water["token"], "GET", path) == 404  # not theirs yet
    assert (await act(api, case_no, "register", "desk")).status == 200
    reply = await api.call("POST", f"{path}/actions", "desk", json={"action": "dispatch", "department": "water"})
    assert reply.status == 200, reply.body
    assert await as_token(api, transport["token"], "GET", path) == 404
    assert await as_token(api, transport["token"], "POST", f"{path}/actions", {"action": "accept"}) == 404
    listed = await api.client.get("/admin/v1/cases", params={"reporter": uid},
                                  headers={"Authorization": f"Bearer {water['token']}"})
    assert [c["case_no"] for c in (await listed.json())["items"]] == [case_no]
    for body in ({"action": "accept"}, {"action": "request_extension", "hours": 24, "note": "需要协调"},
                 {"action": "handle", "note": "已处理"}):
        assert await as_token(api, water["token"], "POST", f"{path}/actions", body) == 200, body
    assert await as_token(api, water["token"], "POST", f"{path}/actions", {"action": "close"}) == 403


async def test_worker_for_follows_duty(api: Api, uid: str) -> None:
    leaf = api.other_leaf
    lat, lng = api.point(leaf)
    locate = "/admin/v1/grid/locate"
    owner_id = (await api.call("GET", locate, params={"lat": str(lat), "lng": str(lng)})).body["worker"]["user_id"]
    stand_in = await new_user(api, uid)
    try:
        reply = await api.call("PATCH", f"{BASE}/{owner_id}", json={"on_leave": True, "substitute_id": stand_in["id"]})
        assert reply.status == 200, reply.body
        found = (await api.call("GET", locate, params={"lat": str(lat), "lng": str(lng)})).body["worker"]
        assert found["user_id"] != owner_id
        others = [u for u in (await api.call("GET", BASE, params={"role": "worker"})).body["items"]
                  if leaf in u["grids"] and u["id"] != owner_id and not u["on_leave"]]
        # a co-owner on duty comes first; with none, the substitute stands in
        assert found["user_id"] == (others[0]["id"] if others else stand_in["id"])
    finally:
        await api.call("PATCH", f"{BASE}/{owner_id}", json={"on_leave": False})
    back = (await api.call("GET", locate, params={"lat": str(lat), "lng": str(lng)})).body["worker"]
    assert back["user_id"] == owner_id
