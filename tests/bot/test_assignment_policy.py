"""Cross-street assignment: a street dispatcher gives cases only to workers inside their area; admins anywhere."""

from __future__ import annotations

from tests.bot.conftest import OTHER_STREET, Api, Staff, _staff, snapshot, walk


async def _kuiyong_worker(api: Api) -> Staff:
    if "kw" not in api.staff:
        api.staff["kw"] = await _staff("API 葵涌网格员", "worker", (api.other_leaf,))
    return api.staff["kw"]


async def test_a_street_dispatcher_cannot_give_a_case_to_another_streets_worker(api: Api, uid: str) -> None:
    assert api.other_leaf.startswith(OTHER_STREET)
    foreign = await _kuiyong_worker(api)
    case_no = await walk(api, "registered", f"assign-{uid}")
    before = await snapshot(api, case_no)
    refused = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "street",
                             json={"action": "dispatch", "note": "派给葵涌", "user_id": foreign.user_id})
    assert refused.status == 403 and "inside their own area" in refused.body["message"], refused.body
    assert await snapshot(api, case_no) == before
    ok = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "street",
                        json={"action": "dispatch", "note": "派给本街道", "user_id": api.staff["w1"].user_id})
    assert ok.status == 200, ok.body


async def test_an_admin_assigns_anywhere(api: Api, uid: str) -> None:
    foreign = await _kuiyong_worker(api)
    case_no = await walk(api, "registered", f"assign-admin-{uid}")
    ok = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "admin",
                        json={"action": "dispatch", "note": "跨街道派遣", "user_id": foreign.user_id})
    assert ok.status == 200, ok.body
