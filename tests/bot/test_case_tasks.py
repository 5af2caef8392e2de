"""核实 and 核查 as tasks over the admin API: who is given the task and told, the evidence a task needs,
separation of duties (the handler never checks), and the position check that flags a far-away step.

Who may take verified / checked from which state is also walked for every pair by
tests/bot/test_admin_api_roles.py (generated from the state table)."""

from __future__ import annotations

from typing import Any

from intake.store.models import Case
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import Api, act, open_case, snapshot, walk

CASES = "/admin/v1/cases"


async def step(api: Api, case_no: str, who: str, action: str, **body: Any) -> Any:
    return await api.call("POST", f"{CASES}/{case_no}/actions", who, json={"action": action, **body})


def here(api: Api, north_m: float = 0.0) -> dict[str, float]:
    lat, lng = api.point(api.leaves[0])
    return {"lat": lat + north_m / 111_000, "lng": lng}


async def detail(api: Api, case_no: str, who: str = "admin") -> dict[str, Any]:
    reply = await api.call("GET", f"{CASES}/{case_no}", who)
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def told(case_no: str, kind: str) -> list[tuple[str, str]]:
    return [(m.recipient_kind, m.recipient_ref)
            for m in await OutboxMessage.filter(case_no=case_no, kind=kind).order_by("id")]


async def test_verify_gives_the_task_to_the_named_worker_who_alone_does_it_with_evidence(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    w1, w2 = api.staff["w1"].user_id, api.staff["w2"].user_id
    assert (await step(api, case_no, "desk", "verify", note="请现场核实", user_id=w2)).status == 200
    assert (await detail(api, case_no))["task"] == {"kind": "verify", "user_id": w2}
    assert await told(case_no, "case.verify_task") == [("worker", str(w2))]
    assert "verified" in (await detail(api, case_no, "w2"))["allowed_actions"]
    assert "verified" not in (await detail(api, case_no, "w1"))["allowed_actions"]  # given to someone else
    before = await snapshot(api, case_no)
    refused = await step(api, case_no, "w1", "verified", result="confirmed", attachments=["staff:a"], **here(api))
    assert (refused.status, refused.error) == (403, "forbidden")
    no_photo = await step(api, case_no, "w2", "verified", result="confirmed", **here(api))
    assert (no_photo.status, no_photo.error) == (400, "invalid")
    no_place = await step(api, case_no, "w2", "verified", result="confirmed", attachments=["staff:a"])
    assert (no_place.status, no_place.error) == (400, "invalid")
    bad_result = await step(api, case_no, "w2", "verified", result="maybe", attachments=["staff:a"], **here(api))
    assert (bad_result.status, bad_result.error) == (400, "invalid")
    assert await snapshot(api, case_no) == before
    done = await step(api, case_no, "w2", "verified", result="confirmed", attachments=["staff:a"], **here(api, 30))
    assert done.status == 200, done.body
    body = await detail(api, case_no)
    assert body["status"] == "verifying" and body["task"] is None and body["position_flags"] == []
    data = body["events"][-1]["data"]
    assert (data["result"], data["photos"], data["position"]["flagged"]) == ("confirmed", ["staff:a"], False)
    assert 20 <= data["position"]["distance_m"] <= 40
    assert w1 is not None and (await step(api, case_no, "desk", "register")).status == 200


async def test_verify_without_a_name_goes_to_the_worker_on_duty(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    assert (await step(api, case_no, "desk", "verify")).status == 200
    duty = await api.svc.ctx.grid.worker_for(api.leaves[0])
    assert duty is not None
    assert (await detail(api, case_no))["task"] == {"kind": "verify", "user_id": duty.id}
    assert await told(case_no, "case.verify_task") == [("worker", str(duty.id))]


async def test_the_handler_never_checks_the_case(api: Api, uid: str) -> None:
    case_no = await walk(api, "handled", uid)  # handled by w1
    w1, w2 = api.staff["w1"].user_id, api.staff["w2"].user_id
    assert (await detail(api, case_no))["handler_user_id"] == w1
    before = await snapshot(api, case_no)
    named = await step(api, case_no, "desk", "check", user_id=w1)
    assert (named.status, named.error) == (403, "forbidden")  # the desk cannot give the handler the check
    assert await snapshot(api, case_no) == before
    assert (await step(api, case_no, "desk", "check")).status == 200
    task = (await detail(api, case_no))["task"]
    assert task["kind"] == "check" and task["user_id"] != w1  # the automatic pick skips the handler too
    assert "checked" not in (await detail(api, case_no, "w1"))["allowed_actions"]
    before = await snapshot(api, case_no)
    refused = await step(api, case_no, "w1", "checked", result="pass", attachments=["staff:b"], **here(api))
    assert (refused.status, refused.error) == (403, "forbidden")
    assert await snapshot(api, case_no) == before
    # the desk may record the check for the one it was given to; the desk did not handle the case
    passed = await step(api, case_no, "desk", "checked", result="pass", attachments=["staff:b"], **here(api))
    assert (passed.status, passed.body["status"]) == (200, "closed"), passed.body
    assert w2 is not None


async def test_a_passing_check_closes_a_failing_one_sends_it_back(api: Api, uid: str) -> None:
    w2 = api.staff["w2"].user_id
    closing = await walk(api, "handled", uid)
    assert (await step(api, closing, "desk", "check", user_id=w2)).status == 200
    assert await told(closing, "case.check_task") == [("worker", str(w2))]
    assert "checked" in (await detail(api, closing, "w2"))["allowed_actions"]
    done = await step(api, closing, "w2", "checked", result="pass", attachments=["staff:c"], **here(api))
    assert done.status == 200, done.body
    case = await Case.get(case_no=closing)
    assert (case.status, case.closed_at is not None, case.task_kind) == ("closed", True, None)
    assert await told(closing, "case.close")  # the reporter hears 已办结 as for a desk's close

    failing = await walk(api, "handled", uid + "-f")
    assert (await step(api, failing, "desk", "check", user_id=w2)).status == 200
    no_note = await step(api, failing, "w2", "checked", result="fail", attachments=["staff:d"], **here(api))
    assert (no_note.status, no_note.error) == (400, "invalid")
    back = await step(api, failing, "w2", "checked", result="fail", note="井盖仍松动", attachments=["staff:d"],
                      **here(api))
    assert back.status == 200 and back.body["status"] == "handling"


async def test_a_far_away_step_is_accepted_and_flagged_for_the_dispatcher(api: Api, uid: str) -> None:
    case_no = await walk(api, "handling", uid)
    far = await step(api, case_no, "w1", "handle", note="已修复", attachments=["staff:e"], **here(api, 1500))
    assert far.status == 200, far.body
    body = await detail(api, case_no, "desk")
    [flag] = body["position_flags"]
    assert flag["action"] == "handle" and 1400 <= flag["distance_m"] <= 1600 and flag["tolerance_m"] == 200
    assert body["events"][-1]["data"]["position"]["flagged"] is True
    listed = await api.call("GET", CASES, "desk", params={"reporter": uid})
    assert listed.body["items"][0]["position_flags"] == [flag]  # on the dispatcher's list as well


async def test_hostile_evidence_is_refused_and_changes_nothing(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    assert (await step(api, case_no, "desk", "verify", user_id=api.staff["w2"].user_id)).status == 200
    before = await snapshot(api, case_no)
    for bad in ({"attachments": ["../../etc/passwd"], **here(api)}, {"attachments": ["<script>"], **here(api)},
                {"attachments": ["x" * 300], **here(api)}, {"attachments": ["staff:a"] * 10, **here(api)},
                {"attachments": ["staff:a"], "lat": 91, "lng": 114}, {"attachments": ["staff:a"], "lat": 22.5},
                {"attachments": ["staff:a"], "lat": "NaN", "lng": 114}, {"attachments": [1], **here(api)}):
        reply = await step(api, case_no, "w2", "verified", result="confirmed", **bad)
        assert (reply.status, reply.error) == (400, "invalid"), (bad, reply.body)
    assert await snapshot(api, case_no) == before
    assert (await act(api, case_no, "verified", "w2")).status == 200  # the complete request passes
