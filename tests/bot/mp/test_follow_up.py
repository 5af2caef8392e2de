"""Following reports: listing, the resident's view, seconding (附议), withdrawing (撤件) and rating."""

from __future__ import annotations

import json

from intake.store.models import CaseEvent, Rating
from tests.bot.mp.conftest import TO_CLOSED, Mp, Phone, walk

WORKER_NOTE = "网格员张三 13800001111 已更换灯泡"


async def _neighbour(mp: Mp, phone: Phone) -> Phone:
    other = Phone(mp, phone.openid + "n")
    assert (await other.login()).status == 200
    return other


async def test_listing_is_paginated_and_only_mine(mp: Mp, phone: Phone) -> None:
    numbers = [(await phone.report(f"第{i}盏路灯不亮", leaf=i)).body["case_no"] for i in range(3)]
    other = await _neighbour(mp, phone)
    await other.report("别人的反映")
    first = await phone.call("GET", "/mp/v1/reports", params={"per_page": "2"})
    assert (first.status, first.body["total"], first.body["page"], len(first.body["items"])) == (200, 3, 1, 2)
    second = await phone.call("GET", "/mp/v1/reports", params={"per_page": "2", "page": "2"})
    listed = [i["case_no"] for i in first.body["items"] + second.body["items"]]
    assert sorted(listed) == sorted(numbers) and all(i["relation"] == "own" for i in first.body["items"])
    for params in ({"page": "0"}, {"per_page": "101"}, {"page": "x"}, {"relation": "everyone"}):
        reply = await phone.call("GET", "/mp/v1/reports", params=params)
        assert (reply.status, reply.error) == (400, "invalid"), params


async def test_own_view_shows_public_notes_only_and_no_staff(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    fresh = await phone.call("GET", f"/mp/v1/reports/{case_no}")
    assert fresh.body["can_withdraw"] is True and fresh.body["can_rate"] is False
    assert [(s["action"], s["by"]) for s in fresh.body["timeline"]] == [("open", "you")]
    await walk(mp, case_no, "verify", "register", "dispatch", "accept")
    reply = await mp.staff(case_no, "handle", note=WORKER_NOTE)
    assert reply.status == 200
    await walk(mp, case_no, "check")
    assert (await mp.staff(case_no, "close", note="已修复，结案")).status == 200
    view = await phone.call("GET", f"/mp/v1/reports/{case_no}")
    assert view.status == 200
    body = view.body
    assert (body["relation"], body["status"], body["can_rate"], body["can_withdraw"]) == ("own", "closed", True, False)
    assert body["closed_at"].endswith("+08:00") and body["description"].startswith("小区门口")
    steps = [s["action"] for s in body["timeline"]]
    assert steps == ["open", "verify", "register", "dispatch", "accept", "handle", "check", "close"]
    assert {s["by"] for s in body["timeline"][1:]} == {"staff"}
    notes = {s["action"]: s["note"] for s in body["timeline"]}
    assert notes["close"] == "已修复，结案" and notes["handle"] is None and notes["dispatch"] is None
    text = json.dumps(body, ensure_ascii=False)
    for private in ("张三", "13800001111", "小程序测试网格员", "assignee", "user_id", "bootstrap"):
        assert private not in text


async def test_other_residents_reports_are_404(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    other = await _neighbour(mp, phone)
    for method, path, body in (("GET", "", None), ("POST", "/withdraw", {}), ("POST", "/rating", {"score": 1})):
        reply = await other.call(method, f"/mp/v1/reports/{case_no}{path}", json=body)
        assert (reply.status, reply.error) == (404, "not_found"), path
    for bad in ("440307-20261118-00001-0", "not-a-number", "1" * 300):
        assert (await phone.call("GET", f"/mp/v1/reports/{bad}")).status == 404
    assert (await mp.call("GET", f"/mp/v1/reports/{case_no}")).status == 401


async def test_seconding_gives_the_public_view(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report(address="某小区3栋门口")).body["case_no"]
    other = await _neighbour(mp, phone)
    reply = await other.call("POST", f"/mp/v1/reports/{case_no}/second")
    assert reply.status == 200, reply.body
    view = reply.body
    assert (view["relation"], view["description"], view["address"], view["media"]) == ("seconded", None, None, [])
    assert view["can_withdraw"] is False and view["can_rate"] is False
    assert all(s["note"] is None for s in view["timeline"])
    assert [s["by"] for s in view["timeline"]] == ["resident", "you"]
    events = await CaseEvent.filter(case_no=case_no).count()
    assert (await other.call("POST", f"/mp/v1/reports/{case_no}/second")).status == 200  # once is enough
    assert await CaseEvent.filter(case_no=case_no).count() == events
    listed = await other.call("GET", "/mp/v1/reports", params={"relation": "seconded"})
    assert [i["case_no"] for i in listed.body["items"]] == [case_no]
    assert (await other.call("GET", f"/mp/v1/reports/{case_no}")).body["relation"] == "seconded"
    owner = await phone.call("GET", f"/mp/v1/reports/{case_no}")
    assert [s["by"] for s in owner.body["timeline"]] == ["you", "resident"]
    own = await phone.call("POST", f"/mp/v1/reports/{case_no}/second")
    assert (own.status, own.error) == (409, "own_report")
    assert (await other.call("POST", "/mp/v1/reports/440307-20261118-99999-0/second")).status == 404


async def test_a_closed_report_cannot_be_seconded(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    await walk(mp, case_no, *TO_CLOSED)
    reply = await (await _neighbour(mp, phone)).call("POST", f"/mp/v1/reports/{case_no}/second")
    assert (reply.status, reply.error) == (409, "illegal_transition")


async def test_withdraw_before_dispatch_only(mp: Mp, phone: Phone) -> None:
    early = (await phone.report()).body["case_no"]
    other = await _neighbour(mp, phone)
    await other.call("POST", f"/mp/v1/reports/{early}/second")
    assert (await other.call("POST", f"/mp/v1/reports/{early}/withdraw")).status == 404  # a seconder cannot
    reply = await phone.call("POST", f"/mp/v1/reports/{early}/withdraw", json={"note": "已自行解决"})
    assert reply.status == 200, reply.body
    assert (reply.body["status"], reply.body["can_withdraw"]) == ("withdrawn", False)
    last = reply.body["timeline"][-1]
    assert (last["action"], last["status"], last["by"], last["note"]) == ("withdraw", "withdrawn", "you", "已自行解决")
    late = (await phone.report("第二个问题", leaf=1)).body["case_no"]
    await walk(mp, late, "verify", "register", "dispatch")
    refused = await phone.call("POST", f"/mp/v1/reports/{late}/withdraw")  # no body at all is fine
    assert (refused.status, refused.error) == (409, "illegal_transition")
    too_long = await phone.call("POST", f"/mp/v1/reports/{late}/withdraw", json={"note": "x" * 501})
    assert too_long.status == 400


async def test_rating_a_closed_report(mp: Mp, phone: Phone) -> None:
    # 基本满意 has no effect on the case; 不满意 (reopen, escalation) is tested in tests/bot/surveys.
    case_no = (await phone.report()).body["case_no"]
    early = await phone.call("POST", f"/mp/v1/reports/{case_no}/rating", json={"score": 1})
    assert (early.status, early.error) == (409, "not_closed")
    await walk(mp, case_no, *TO_CLOSED)
    for bad in ({"score": 0}, {"score": 4}, {"score": "1"}, {}, {"score": 1, "comment": "x" * 501}):
        assert (await phone.call("POST", f"/mp/v1/reports/{case_no}/rating", json=bad)).status == 400, bad
    reply = await phone.call("POST", f"/mp/v1/reports/{case_no}/rating", json={"score": 2, "comment": "灯还是暗"})
    assert (reply.status, reply.body) == (201, {"case_no": case_no, "score": 2, "round": 0, "effects": "none"})
    again = await phone.call("POST", f"/mp/v1/reports/{case_no}/rating", json={"score": 1})
    assert (again.status, again.error) == (409, "already_rated")
    view = await phone.call("GET", f"/mp/v1/reports/{case_no}")
    assert (view.body["rating"], view.body["can_rate"]) == (2, False)
    row = await Rating.get(case_no=case_no)
    assert (row.channel, row.reporter, row.score, row.comment) == ("miniprogram", phone.openid, 2, "灯还是暗")
    other = await _neighbour(mp, phone)
    assert (await other.call("POST", f"/mp/v1/reports/{case_no}/rating", json={"score": 1})).status == 404


async def test_a_resident_takes_their_data_and_deletes_it(mp: Mp, phone: Phone) -> None:
    case_no = (await phone.report()).body["case_no"]
    mine = await phone.call("GET", "/mp/v1/me/data")
    assert mine.status == 200 and [c["case_no"] for c in mine.body["cases"]] == [case_no]
    assert mine.body["cases"][0]["description"].startswith("小区门口")
    for body in ({}, {"confirm": False}, {"confirm": "yes"}, {"confirm": True, "also": 1}):
        refused = await phone.call("POST", "/mp/v1/me/erase", json=body)
        assert (refused.status, refused.error) == (400, "invalid"), body
    done = await phone.call("POST", "/mp/v1/me/erase", json={"confirm": True})
    assert (done.status, done.body) == (200, {"erased": 0, "pending": 1})  # open: its handler still needs it
    await walk(mp, case_no, "verify", "register", "dispatch", "accept")
    assert (await mp.staff(case_no, "handle", note="已修复")).status == 200
    await walk(mp, case_no, "check")
    assert (await mp.staff(case_no, "close", note="已修复，结案")).status == 200
    again = await phone.call("POST", "/mp/v1/me/erase", json={"confirm": True})
    assert (again.status, again.body) == (200, {"erased": 1, "pending": 0})
    assert (await phone.call("GET", "/mp/v1/me/data")).body["cases"] == []
    stranger = await mp.client.get("/mp/v1/me/data")
    assert stranger.status == 401
