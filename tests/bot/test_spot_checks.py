"""抽查 over the admin API: a random sample (count or percent) of the closed cases of an area and period
is drawn for re-check; each becomes a 核查 task; a passing re-check leaves the case closed, a failed one
reopens it. Who may draw is the role matrix (tests/bot/test_role_matrix.py walks it per role)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from intake.store.models import Case
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import OTHER_STREET, Api, walk

PATH = "/admin/v1/spot-checks"


def period(api: Api, **extra: Any) -> dict[str, Any]:
    now = api.svc.clock()
    return {"since": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat(),
            "area": api.leaves[0], **extra}


async def step(api: Api, case_no: str, who: str, action: str, **body: Any) -> Any:
    return await api.call("POST", f"/admin/v1/cases/{case_no}/actions", who, json={"action": action, **body})


async def test_a_sample_becomes_check_tasks_and_a_failed_recheck_reopens(api: Api, uid: str) -> None:
    api.svc.clock.advance(days=900)  # a period of our own: the other tests' closed cases lie at T0
    closed = [await walk(api, "closed", f"{uid}-{i}") for i in range(4)]
    first = await api.call("POST", PATH, "sup", json=period(api, count=2, seed=7))
    assert first.status == 201, first.body
    assert first.body["pool"] == 4 and len(first.body["drawn"]) == 2 and first.body["skipped"] == []
    assert set(first.body["drawn"]) <= set(closed)
    for case_no in first.body["drawn"]:
        case = await Case.get(case_no=case_no)
        assert (case.status, case.task_kind) == ("closed", "spot_check")
        assert await OutboxMessage.filter(case_no=case_no, kind="case.spot_check_task").count() == \
            (1 if case.task_user_id else 0)
    again = await api.call("POST", PATH, "desk", json=period(api, percent=50))
    assert again.status == 201 and again.body["pool"] == 2 and len(again.body["drawn"]) == 1  # ⌈2 × 50 %⌉

    passing, failing = first.body["drawn"]
    evidence = {"attachments": ["staff:recheck"], "lat": api.point(api.leaves[0])[0],
                "lng": api.point(api.leaves[0])[1]}
    ok = await step(api, passing, "desk", "checked", result="pass", **evidence)
    assert (ok.status, ok.body["status"], ok.body["task"]) == (200, "closed", None), ok.body
    bad = await step(api, failing, "desk", "checked", result="fail", note="复查发现路灯仍不亮", **evidence)
    assert (bad.status, bad.body["status"]) == (200, "registered"), bad.body
    reopened = await Case.get(case_no=failing)
    assert (reopened.reopen_count, reopened.closed_at, reopened.task_kind) == (1, None, None)
    assert await OutboxMessage.filter(case_no=failing, kind="case.reopen").exists()  # the reporter hears it
    twice = await step(api, passing, "desk", "checked", result="pass", **evidence)
    assert (twice.status, twice.error) == (409, "illegal_transition")  # no re-check pending any more


async def test_a_seeded_draw_is_repeatable_and_only_closed_cases_in_scope_count(api: Api, uid: str) -> None:
    api.svc.clock.advance(days=1300)
    await walk(api, "handled", uid + "-open")  # not closed: never drawn
    closed = await walk(api, "closed", uid)
    street = await api.call("POST", PATH, "street", json=period(api, count=5))
    assert street.status == 201 and street.body["drawn"] == [closed]
    outside = await api.call("POST", PATH, "street", json=period(api, count=1, area=OTHER_STREET))
    assert (outside.status, outside.error) == (400, "invalid")


async def test_who_may_draw_and_hostile_bodies(api: Api, uid: str) -> None:
    for who in ("w1", "bootstrap"):
        reply = await api.call("POST", PATH, who, json=period(api, count=1))
        assert reply.status == (403 if who == "w1" else 201), (who, reply.body)
    now = api.svc.clock()
    for bad in (period(api), period(api, count=1, percent=10), period(api, count=0), period(api, count=1000),
                period(api, percent=0), period(api, percent=101), period(api, count=1, area="abc"),
                period(api, count=1, area="1" * 30), period(api, count=1, seed=-1),
                {**period(api, count=1), "since": now.replace(tzinfo=None).isoformat()},
                {**period(api, count=1), "since": (now + timedelta(days=1)).isoformat()},
                {**period(api, count=1), "extra": 1}, {"count": 1}):
        reply = await api.call("POST", PATH, "desk", json=bad)
        assert (reply.status, reply.error) == (400, "invalid"), (bad, reply.body)
    assert (await api.call("POST", PATH, "desk", data=b"[1,2", headers={"Content-Type": "application/json"})
            ).status == 400
