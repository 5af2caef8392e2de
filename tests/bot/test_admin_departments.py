"""Departments (条线) over the admin API: list, create, edit, deactivate, and dispatch by line."""

from __future__ import annotations

from typing import Any

import pytest

from intake.store.models import Department
from intake.taxonomy.catalog import Catalog
from tests.bot.conftest import WORKER_STREET, Api, act, open_case

BASE = "/admin/v1/departments"


def body(uid: str, **extra: Any) -> dict[str, Any]:
    """A new department on a line of its own, so the demo's "water" stays the only one in dispatch tests."""
    return {"code": f"t-{uid}", "line": f"test_{uid}", "name": f"测试水务所{uid}", "region_code": WORKER_STREET,
            "email": f"water-{uid}@example.org", "wecom_group": "group-key-1", **extra}


async def test_the_demo_lists_a_department_for_every_line_the_taxonomy_names(api: Api) -> None:
    reply = await api.call("GET", BASE, "desk")
    assert reply.status == 200, reply.body
    lines = {d["line"] for d in reply.body["items"]}
    assert set(Catalog.load().departments) <= lines
    water = await api.call("GET", BASE, "desk", params={"line": "water", "region": "440307"})
    assert [d["code"] for d in water.body["items"]] == ["440307-water"]


async def test_create_read_edit_deactivate(api: Api, uid: str) -> None:
    created = await api.call("POST", BASE, json=body(uid))
    assert created.status == 201, created.body
    assert created.body == {**body(uid), "active": True}
    again = await api.call("POST", BASE, json=body(uid, name="另一个"))
    assert (again.status, again.error) == (409, "conflict")
    edited = await api.call("PATCH", f"{BASE}/t-{uid}", json={"email": f"new-{uid}@example.org",
                                                             "wecom_group": "group-key-2"})
    assert edited.status == 200, edited.body
    got = (await api.call("GET", f"{BASE}/t-{uid}", "w1")).body
    assert (got["email"], got["wecom_group"], got["name"]) == (f"new-{uid}@example.org", "group-key-2",
                                                                f"测试水务所{uid}")
    gone = await api.call("POST", f"{BASE}/t-{uid}/deactivate")
    assert gone.status == 200 and gone.body["active"] is False
    inactive = await api.call("GET", BASE, params={"active": "false", "line": f"test_{uid}"})
    assert f"t-{uid}" in [d["code"] for d in inactive.body["items"]]


@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-a-mail"), ("region_code", "999999"), ("line", "Water Bureau"), ("code", "has space"),
    ("name", "bad\x01name"), ("region_code", "abc"), ("wecom_group", "x" * 201)])
async def test_bad_fields_are_400_and_store_nothing(api: Api, uid: str, field: str, value: str) -> None:
    reply = await api.call("POST", BASE, json=body(uid, **{field: value}))
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert not await Department.exists(code=f"t-{uid}")


async def test_edit_refuses_bad_values_and_unknown_fields(api: Api, uid: str) -> None:
    assert (await api.call("POST", BASE, json=body(uid))).status == 201
    for patch in ({"email": "nope"}, {"code": "renamed"}, {"region_code": "999999"}):
        reply = await api.call("PATCH", f"{BASE}/t-{uid}", json=patch)
        assert reply.status == 400, (patch, reply.body)
    assert (await Department.get(code=f"t-{uid}")).email == f"water-{uid}@example.org"
    assert (await api.call("PATCH", f"{BASE}/nope-{uid}", json={"name": "x"})).status == 404


@pytest.mark.parametrize("who", ["desk", "street", "w1"])
async def test_department_writes_need_an_admin(api: Api, uid: str, who: str) -> None:
    assert (await api.call("POST", BASE, who, json=body(uid))).status == 403
    assert (await api.call("PATCH", f"{BASE}/440307-water", who, json={"name": "改名"})).status == 403
    assert (await api.call("POST", f"{BASE}/440307-water/deactivate", who)).status == 403
    assert not await Department.exists(code=f"t-{uid}")
    assert (await Department.get(code="440307-water")).active


async def dispatch(api: Api, case_no: str, department: str) -> Any:
    assert (await act(api, case_no, "register", "desk")).status == 200
    return await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                          json={"action": "dispatch", "department": department})


@pytest.mark.parametrize(("line", "expected"), [("water", "440307-water"),
                                                 ("street_enforcement", f"{WORKER_STREET}-street_enforcement"),
                                                 ("440307-transport", "440307-transport")])
async def test_dispatch_by_line_reaches_the_department_of_the_case_area(api: Api, uid: str, line: str,
                                                                      expected: str) -> None:
    case_no = await open_case(api, uid)
    reply = await dispatch(api, case_no, line)
    assert reply.status == 200, reply.body
    assert reply.body["assignee"]["department"] == expected


async def test_dispatch_to_an_unknown_line_or_a_deactivated_department_is_400(api: Api, uid: str) -> None:
    assert (await api.call("POST", BASE, json=body(uid))).status == 201
    assert (await api.call("POST", f"{BASE}/t-{uid}/deactivate")).status == 200
    for target in ("no_such_line", f"t-{uid}", f"test_{uid}", "../etc"):
        case_no = await open_case(api, f"{uid}-{target[:3]}")
        reply = await dispatch(api, case_no, target)
        assert (reply.status, reply.error) == (400, "invalid"), reply.body
        assert (await api.call("GET", f"/admin/v1/cases/{case_no}")).body["status"] == "registered"
