"""作废 (void) over the admin API: who may void or ask for it, each reason, and what the reporter hears."""

from __future__ import annotations

from typing import Any

import pytest

from intake.store.models import Case, CoReporter
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import WORKER_STREET, Api, _staff, open_case, snapshot, walk

CASES = "/admin/v1/cases"


async def void(api: Api, case_no: str, who: str = "desk", **body: Any) -> Any:
    return await api.call("POST", f"{CASES}/{case_no}/actions", who,
                          json={"action": "void", "note": "核实后作废", **body})


@pytest.mark.parametrize("status", ["reported", "registered", "dispatched", "handling", "handled", "returned",
                                    "suspended"])
async def test_a_dispatcher_voids_a_false_report_at_any_open_stage(api: Api, uid: str, status: str) -> None:
    case_no = await walk(api, status, uid)
    reply = await void(api, case_no, reason="false_report")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "voided" and reply.body["allowed_actions"] == ["comment"]
    case = await Case.get(case_no=case_no)
    assert case.closed_at is not None
    told = await OutboxMessage.filter(key__startswith=f"{case_no}:", kind="case.void.false_report")
    assert [(m.recipient_ref, m.payload["reason"]) for m in told] == [(uid, "false_report")]


async def test_a_duplicate_is_merged_and_its_reporter_follows_the_other_case(api: Api, uid: str) -> None:
    target = await open_case(api, uid + "-target")
    case_no = await walk(api, "handling", uid)
    reply = await void(api, case_no, reason="duplicate", into=target)
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "merged" and (await Case.get(case_no=case_no)).merged_into == target
    assert await CoReporter.exists(case_no=target, reporter=uid)
    assert await OutboxMessage.exists(key__startswith=f"{case_no}:", kind="case.void.duplicate")


async def test_out_of_area_records_where_it_went(api: Api, uid: str) -> None:
    case_no = await walk(api, "registered", uid)
    assert (await void(api, case_no, reason="out_of_area", district="x440")).status == 400
    reply = await void(api, case_no, reason="out_of_area", district="440303")
    assert reply.status == 200, reply.body
    events = (await api.call("GET", f"{CASES}/{case_no}")).body["events"]
    assert events[-1]["action"] == "void"


@pytest.mark.parametrize("body", [{}, {"reason": "bored"}, {"reason": "false_report", "note": ""},
                                  {"reason": "duplicate"}])
async def test_void_needs_a_known_reason_and_a_note(api: Api, uid: str, body: dict[str, Any]) -> None:
    case_no = await walk(api, "registered", uid)
    before = await snapshot(api, case_no)
    reply = await api.call("POST", f"{CASES}/{case_no}/actions", "desk",
                           json={"action": "void", "note": "作废", **body})
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await snapshot(api, case_no) == before


async def test_workers_ask_supervisors_void(api: Api, uid: str) -> None:
    case_no = await walk(api, "handling", uid)
    before = await snapshot(api, case_no)
    assert (await void(api, case_no, "w1", reason="cannot_handle")).status == 403
    assert await snapshot(api, case_no) == before
    asked = await api.call("POST", f"{CASES}/{case_no}/actions", "w1",
                           json={"action": "request_void", "reason": "cannot_handle", "note": "现场为私人领地"})
    assert asked.status == 200 and asked.body["status"] == "handling"
    supervisor = await _staff("API 南澳督查", "supervisor", (WORKER_STREET,))
    api.staff[f"sup-{uid}"] = supervisor
    assert (await void(api, case_no, f"sup-{uid}", reason="cannot_handle")).body["status"] == "voided"
    assert await OutboxMessage.exists(key__startswith=f"{case_no}:", kind="case.void.cannot_handle")


async def test_a_final_case_cannot_be_voided(api: Api, uid: str) -> None:
    case_no = await walk(api, "closed", uid)
    reply = await void(api, case_no, reason="false_report")
    assert (reply.status, reply.error) == (409, "illegal_transition")
