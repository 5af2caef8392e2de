"""协办 over the admin API: the lead asks, the dispatcher adds assisting units (a department, a worker), each
gets its own sub-task and is told; the unit answers with a note and photos, or the dispatcher waives it;
the lead's 处置 is refused while any sub-task is pending.

Which role may take each 协办 step from which state is walked for every pair by
tests/bot/test_admin_api_roles.py (generated from the state table)."""

from __future__ import annotations

from typing import Any

from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import Api, snapshot, walk
from tests.bot.test_admin_users import new_user

CASES = "/admin/v1/cases"


async def step(api: Api, case_no: str, who: str, action: str, **body: Any) -> Any:
    return await api.call("POST", f"{CASES}/{case_no}/actions", who, json={"action": action, **body})


async def as_token(api: Api, token: str, method: str, path: str, json: Any = None) -> tuple[int, Any]:
    async with api.client.request(method, path, json=json, headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status, await resp.json()


async def told(case_no: str, kind: str) -> list[tuple[str, str]]:
    return [(m.recipient_kind, m.recipient_ref)
            for m in await OutboxMessage.filter(case_no=case_no, kind=kind).order_by("id")]


async def test_assists_answered_or_waived_before_the_lead_completes(api: Api, uid: str) -> None:
    water = await new_user(api, uid, role="department", department_code="440307-water")
    case_no, path = await walk(api, "handling", uid), ""
    path = f"{CASES}/{case_no}"
    w1, w2 = api.staff["w1"].user_id, api.staff["w2"].user_id
    assert (await as_token(api, water["token"], "GET", path))[0] == 404  # not involved yet
    asked = await step(api, case_no, "w1", "request_assist", note="需要水务部门配合关阀")
    assert asked.status == 200, asked.body
    assert (await step(api, case_no, "w2", "request_assist", note="我也要")).status == 403  # only the lead asks
    added = await step(api, case_no, "desk", "assist", department="water", note="请配合关阀")
    assert added.status == 200, added.body
    assert (await step(api, case_no, "desk", "assist", user_id=w2)).status == 200
    assert await told(case_no, "case.assist_task") == [("department", "440307-water"), ("worker", str(w2))]
    for bad in ({"user_id": w1}, {"department": "440307-water"}, {}, {"department": "no-such-line"}):
        refused = await step(api, case_no, "desk", "assist", **bad)
        assert (refused.status, refused.error) in ((400, "invalid"), (404, "not_found")), (bad, refused.body)
    before = await snapshot(api, case_no)
    early = await step(api, case_no, "w1", "handle", note="已处理")
    assert (early.status, early.error) == (409, "illegal_transition"), early.body
    assert early.body["details"]["pending"] == [1, 2]
    assert await snapshot(api, case_no) == before
    detail = (await api.call("GET", path, "w1")).body
    assert "handle" not in detail["allowed_actions"]
    assert [(a["kind"], a["ref"], a["status"]) for a in detail["assists"]] == \
        [("department", "440307-water", "pending"), ("worker", str(w2), "pending")]

    status, seen = await as_token(api, water["token"], "GET", path)  # the assisting department sees the case
    assert status == 200 and "answer_assist" in seen["allowed_actions"]
    assert not {"accept", "handle", "return", "request_assist"} & set(seen["allowed_actions"])  # the lead's steps
    status, _ = await as_token(api, water["token"], "POST", f"{path}/actions",
                               {"action": "answer_assist", "note": "已关阀", "attachments": ["staff:valve"]})
    assert status == 200
    assert await told(case_no, "case.assist_answered") == [("worker", str(w1))]  # the lead hears it
    status, _ = await as_token(api, water["token"], "POST", f"{path}/actions",
                               {"action": "answer_assist", "note": "再答一次"})
    assert status == 403  # nothing pending for them any more
    assert (await step(api, case_no, "desk", "waive_assist", assist=1, note="无需")).status == 400  # answered
    assert (await step(api, case_no, "desk", "waive_assist", note="已无需支援")).status == 200  # the one pending
    after = (await api.call("GET", path, "desk")).body["assists"]
    assert [(a["status"], a["note"], a["photos"]) for a in after] == \
        [("answered", "已关阀", ["staff:valve"]), ("waived", "已无需支援", [])]
    done = await step(api, case_no, "w1", "handle", note="已处理")
    assert (done.status, done.body["status"]) == (200, "handled")


async def test_an_assisting_worker_answers_their_own_sub_task_only(api: Api, uid: str) -> None:
    case_no = await walk(api, "handling", uid)
    assert (await step(api, case_no, "desk", "assist", user_id=api.staff["w2"].user_id)).status == 200
    assert "answer_assist" not in (await api.call("GET", f"{CASES}/{case_no}", "w1")).body["allowed_actions"]
    assert (await step(api, case_no, "w1", "answer_assist", note="不是我的")).status == 403
    assert "answer_assist" in (await api.call("GET", f"{CASES}/{case_no}", "w2")).body["allowed_actions"]
    reply = await step(api, case_no, "w2", "answer_assist", note="已到场", attachments=["../x"])
    assert (reply.status, reply.error) == (400, "invalid")  # photo refs are refs, not paths
    assert (await step(api, case_no, "w2", "answer_assist", note="已到场", attachments=["staff:x"])).status == 200


async def listed(api: Api, token: str, uid: str) -> list[str]:
    status, body = await as_token(api, token, "GET", f"{CASES}?reporter={uid}")
    assert status == 200, body
    return [item["case_no"] for item in body["items"]]


async def test_an_assisting_department_lists_the_cases_it_helps_with_until_waived(api: Api, uid: str) -> None:
    water = await new_user(api, uid, role="department", department_code="440307-water")
    answered, waived = await walk(api, "handling", uid), await walk(api, "handling", uid)
    assert await listed(api, water["token"], uid) == []  # neither is theirs yet
    for case_no in (answered, waived):
        assert (await step(api, case_no, "desk", "assist", department="water", note="请配合")).status == 200
    assert set(await listed(api, water["token"], uid)) == {answered, waived}  # open sub-tasks list the cases
    status, _ = await as_token(api, water["token"], "POST", f"{CASES}/{answered}/actions",
                               {"action": "answer_assist", "note": "已关阀"})
    assert status == 200
    assert (await step(api, waived, "desk", "waive_assist", note="无需")).status == 200
    assert await listed(api, water["token"], uid) == [answered]  # answered stays listed; waived no longer
    other = await new_user(api, uid + "g", role="department", department_code="440307-gas")
    assert await listed(api, other["token"], uid) == []  # another department sees none of it
