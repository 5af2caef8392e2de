"""Supervisors' tools over the admin API: 督办, 催办, 批示 and 召回 — who may, what the case keeps,
who is told (the assignee's outbox row) and the per-case counts in the case JSON.

Which role may take which tool from which state is also walked for every pair by
tests/bot/test_admin_api_roles.py (generated from the state table)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from intake.store.models import Case
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import OTHER_STREET, Api, _staff, act, snapshot, walk

CASES = "/admin/v1/cases"


async def tool(api: Api, case_no: str, action: str, who: str, note: str = "请于今日内处理", **body: Any) -> Any:
    return await api.call("POST", f"{CASES}/{case_no}/actions", who, json={"action": action, "note": note, **body})


async def told(case_no: str, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    rows = await OutboxMessage.filter(case_no=case_no, kind=kind).order_by("id")
    return [(m.recipient_kind, m.recipient_ref, m.payload) for m in rows]


async def test_supervise_moves_the_deadline_tells_the_worker_and_is_counted(api: Api, uid: str) -> None:
    case_no = await walk(api, "handling", uid)
    before = await Case.get(case_no=case_no)
    new = (before.deadline_at + timedelta(days=2)).isoformat()
    reply = await tool(api, case_no, "supervise", "sup", note="限期整改", deadline=new)
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "handling" and reply.body["escalation_level"] == 0
    case = await Case.get(case_no=case_no)
    assert case.deadline_at == datetime.fromisoformat(new)
    worker = str(api.staff["w1"].user_id)
    [(kind, ref, payload)] = await told(case_no, "case.supervise")
    assert (kind, ref, payload["note"], payload["deadline"]) == ("worker", worker, "限期整改", new)
    detail = (await api.call("GET", f"{CASES}/{case_no}", "sup")).body
    last = detail["events"][-1]
    assert (last["action"], last["role"], last["note"]) == ("supervise", "supervisor", "限期整改")
    assert last["data"]["previous_deadline"] == before.deadline_at.isoformat()
    assert detail["oversight"] == {"supervise": 1, "urge": 0, "instruct": 0, "recall": 0}


async def test_urges_are_counted_and_each_one_reaches_the_assignee(api: Api, uid: str) -> None:
    case_no = await walk(api, "dispatched", uid)
    for who in ("desk", "sup", "admin"):
        reply = await tool(api, case_no, "urge", who, note=f"{who} 催办")
        assert reply.status == 200, reply.body
    rows = await told(case_no, "case.urge")
    assert [(r[1], r[2]["note"]) for r in rows] == [(str(api.staff["w1"].user_id), f"{w} 催办")
                                                   for w in ("desk", "sup", "admin")]
    assert (await api.call("GET", f"{CASES}/{case_no}")).body["oversight"]["urge"] == 3
    deadline = (await Case.get(case_no=case_no)).deadline_at
    assert (await tool(api, case_no, "urge", "desk", deadline="2099-01-01T00:00:00+08:00")).status == 200
    assert (await Case.get(case_no=case_no)).deadline_at == deadline  # only 督办 moves the deadline


async def test_instruction_is_on_the_timeline_and_pushed(api: Api, uid: str) -> None:
    case_no = await walk(api, "handling", uid)
    reply = await tool(api, case_no, "instruct", "sup", note="请联系物业一并处理")
    assert reply.status == 200, reply.body
    events = (await api.call("GET", f"{CASES}/{case_no}", "w1")).body["events"]
    assert (events[-1]["action"], events[-1]["note"]) == ("instruct", "请联系物业一并处理")
    assert [r[2]["note"] for r in await told(case_no, "case.instruct")] == ["请联系物业一并处理"]
    before = await snapshot(api, case_no)
    refused = await tool(api, case_no, "instruct", "desk")
    assert (refused.status, refused.error) == (403, "forbidden")  # 批示 is the supervisor's
    assert await snapshot(api, case_no) == before


async def test_unassigned_case_can_be_urged_and_nobody_is_messaged(api: Api, uid: str) -> None:
    case_no = await walk(api, "registered", uid)
    assert (await tool(api, case_no, "urge", "sup")).status == 200
    assert await told(case_no, "case.urge") == []


@pytest.mark.parametrize("status", ["dispatched", "handling", "handled", "checking"])
async def test_recall_to_registered_clears_the_assignee_and_tells_them(api: Api, uid: str, status: str) -> None:
    case_no = await walk(api, status, uid)
    reply = await tool(api, case_no, "recall", "sup", note="派错了单位")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "registered"
    assert reply.body["assignee"] == {"user_id": None, "department": None}
    [(kind, ref, payload)] = await told(case_no, "case.recall")
    assert (kind, ref, payload["to"]) == ("worker", str(api.staff["w1"].user_id), "registered")
    assert (await act(api, case_no, "dispatch", "desk")).status == 200  # the desk dispatches it again
    events = (await api.call("GET", f"{CASES}/{case_no}")).body["events"]
    recall = next(e for e in events if e["action"] == "recall")
    assert (recall["from"], recall["to"], recall["data"]["assignee"]["user_id"]) == (
        status, "registered", api.staff["w1"].user_id)


async def test_recall_to_an_earlier_working_step_keeps_the_assignee(api: Api, uid: str) -> None:
    case_no = await walk(api, "handled", uid)
    reply = await tool(api, case_no, "recall", "desk", note="处置不到位", to="handling")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "handling" and reply.body["assignee"]["user_id"] == api.staff["w1"].user_id
    assert (await act(api, case_no, "handle", "w1")).status == 200


@pytest.mark.parametrize(("status", "to"), [("dispatched", "dispatched"), ("handling", "handled"),
                                            ("handling", "closed"), ("handling", "reported"), ("handled", "x" * 500)])
async def test_recall_only_goes_back(api: Api, uid: str, status: str, to: str) -> None:
    case_no = await walk(api, status, uid)
    before = await snapshot(api, case_no)
    reply = await tool(api, case_no, "recall", "sup", to=to)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await snapshot(api, case_no) == before
    assert await told(case_no, "case.recall") == []


@pytest.mark.parametrize("deadline", ["tomorrow", "2026-13-01T00:00:00+08:00", "2030-01-01T00:00:00",
                                      "2000-01-01T00:00:00+08:00", "2099-01-01T00:00:00+08:00", 12])
async def test_bad_deadline_is_400_and_changes_nothing(api: Api, uid: str, deadline: Any) -> None:
    case_no = await walk(api, "handling", uid)
    before = await snapshot(api, case_no)
    reply = await tool(api, case_no, "supervise", "sup", deadline=deadline)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await snapshot(api, case_no) == before
    assert await told(case_no, "case.supervise") == []


@pytest.mark.parametrize("action", ["supervise", "urge", "instruct", "recall"])
async def test_tools_need_a_note(api: Api, uid: str, action: str) -> None:
    case_no = await walk(api, "handling", uid)
    before = await snapshot(api, case_no)
    reply = await tool(api, case_no, action, "sup", note="  ")
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await snapshot(api, case_no) == before


async def test_a_supervisor_acts_only_in_their_area(api: Api, uid: str) -> None:
    api.staff[f"away-{uid}"] = await _staff("API 葵涌督查", "supervisor", (OTHER_STREET,))
    case_no = await walk(api, "handling", uid)
    before = await snapshot(api, case_no)
    for action in ("supervise", "urge", "instruct", "recall"):
        reply = await tool(api, case_no, action, f"away-{uid}")
        assert (reply.status, reply.error) == (404, "not_found"), (action, reply.body)
    assert await snapshot(api, case_no) == before


async def test_a_department_holding_the_case_is_told_and_loses_it_on_recall(api: Api, uid: str) -> None:
    case_no = await walk(api, "registered", uid)
    reply = await api.call("POST", f"{CASES}/{case_no}/actions", "desk",
                           json={"action": "dispatch", "department": "water"})
    assert reply.status == 200 and reply.body["assignee"]["department"] == "440307-water", reply.body
    for action in ("supervise", "urge", "instruct"):
        assert (await tool(api, case_no, action, "sup", note=f"{action} 水务")).status == 200
        assert [(k, r, p["note"]) for k, r, p in await told(case_no, f"case.{action}")] == [
            ("department", "440307-water", f"{action} 水务")]
    reply = await tool(api, case_no, "recall", "desk", note="改派街道")
    assert reply.status == 200 and reply.body["assignee"]["department"] is None, reply.body
    assert [(k, r) for k, r, _ in await told(case_no, "case.recall")] == [("department", "440307-water")]
    detail = (await api.call("GET", f"{CASES}/{case_no}")).body
    assert detail["oversight"] == {"supervise": 1, "urge": 1, "instruct": 1, "recall": 1}


async def test_a_suspended_case_is_supervised_without_moving_its_deadline(api: Api, uid: str) -> None:
    case_no = await walk(api, "suspended", uid)
    before = await snapshot(api, case_no)
    reply = await tool(api, case_no, "supervise", "sup", deadline="2099-01-01T00:00:00+08:00")
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await snapshot(api, case_no) == before
    assert (await tool(api, case_no, "supervise", "sup")).status == 200
    assert [r[1] for r in await told(case_no, "case.supervise")] == [str(api.staff["w1"].user_id)]
