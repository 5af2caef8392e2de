"""Admin API for messages: a case's life produces the right messages, every attempt is visible, roles, hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.keys import CASES, OUTBOUND
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, Resident
from intake.store.models_outbox import GridGroup, OutboxMessage
from outbox import periodic
from outbox.directory import Directory
from tests.bot.conftest import Api, open_case

STEPS = ("verify", "register", "dispatch", "accept", "handle", "check", "close")


async def life(api: Api, reporter: str) -> str:
    """A case from a WeChat resident walked to 结案, the handler leaving a note and two photos."""
    case_no = await open_case(api, reporter, channel="wechat")
    for step in STEPS:
        who = "w1" if step in ("accept", "handle") else "desk"
        body: dict[str, object] = {"action": step, "note": "已更换灯泡" if step == "handle" else None,
                "attachments": ["p1.jpg", "p2.jpg"] if step == "handle" else []}
        if step == "dispatch":
            body["user_id"] = api.staff["w1"].user_id
        reply = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", who, json=body)
        assert reply.status == 200, (step, reply.body)
    return case_no


async def test_a_case_life_tells_the_resident_each_step_and_the_group_the_task(api: Api, uid: str) -> None:
    openid = f"life{uid}"
    await Resident.create(channel="wechat", external_id=openid, lang="zh_CN", last_seen_at=api.svc.clock.now)
    leaf = api.leaves[0]
    await GridGroup.filter(grid_code=leaf).delete()
    await GridGroup.create(grid_code=leaf, webhook_key=f"grp-{uid}", updated_at=api.svc.clock.now, updated_by="t")
    case_no = await life(api, openid)
    rows = await OutboxMessage.filter(case_no=case_no).order_by("id")
    told = [r.kind for r in rows if r.recipient_kind == "resident" and r.kind.startswith("case.")]
    assert told == ["case.open", "case.register", "case.dispatch", "case.accept", "case.handle", "case.close"]
    assert [r.kind for r in rows if r.recipient_kind == "grid_group"] == ["case.task"]
    # the group card names the assignee instead; the worker alone hears of the 核实 / 核查 tasks given to them
    assert {r.kind for r in rows if r.recipient_kind == "worker"} <= {"case.verify_task", "case.check_task"}
    app = api.client.app
    assert app is not None
    store = app[OUTBOUND].store
    await store.route_pending(api.svc.clock.now, only=[r.id for r in rows])
    close = await OutboxMessage.get(case_no=case_no, kind="case.close")
    assert close.channel == "wechat_cs" and close.body is not None
    assert close.body["text"]["content"] == f"您反映的问题（{case_no}）已办结。处置说明：已更换灯泡。现场照片 2 张。"
    card = await OutboxMessage.get(case_no=case_no, kind="case.task")
    assert (card.channel, card.address) == ("wecom_robot", f"grp-{uid}")
    content = card.body["markdown"]["content"] if card.body else ""
    assert case_no in content and "uri.amap.com/marker" in content and "action=accept" in content
    assert "API 网格员甲" in content

    reply = await api.call("GET", f"/admin/v1/cases/{case_no}/messages", "desk")
    assert reply.status == 200
    kinds = [(m["kind"], m["recipient"]["kind"], m["channel"]) for m in reply.body["items"]]
    assert ("case.close", "resident", "wechat_cs") in kinds and ("case.task", "grid_group", "wecom_robot") in kinds
    task = next(m for m in reply.body["items"] if m["kind"] == "case.task")
    assert task["address"] == "***" and task["history"][0]["what"] == "route"
    resident_id = (await Resident.get(channel="wechat", external_id=openid)).id
    mine = await api.call("GET", f"/admin/v1/residents/{resident_id}/messages", params={"per_page": "3"})
    assert mine.status == 200 and mine.body["total"] == len([r for r in rows if r.recipient_kind == "resident"])
    assert len(mine.body["items"]) == 3 and mine.body["items"][-1]["id"] < mine.body["items"][0]["id"]  # newest first


async def test_an_anonymous_reporter_stays_hidden_from_dispatchers(api: Api, uid: str) -> None:
    case_no = await open_case(api, f"anon{uid}", channel="wechat")
    await Case.filter(case_no=case_no).update(anonymous=True)
    desk = await api.call("GET", f"/admin/v1/cases/{case_no}/messages", "desk")
    admin = await api.call("GET", f"/admin/v1/cases/{case_no}/messages", "admin")
    assert desk.body["items"][0]["recipient"]["ref"] == "***"
    assert admin.body["items"][0]["recipient"]["ref"] == f"anon{uid}"


async def test_roles(api: Api, uid: str) -> None:
    case_no = await open_case(api, f"role{uid}", channel="wechat")
    assert (await api.call("GET", f"/admin/v1/cases/{case_no}/messages", "w1")).status == 403
    assert (await api.call("GET", f"/admin/v1/cases/{case_no}/messages", None)).status == 401
    other = await open_case(api, f"role2{uid}", channel="wechat", leaf=api.other_leaf)
    assert (await api.call("GET", f"/admin/v1/cases/{other}/messages", "street")).status == 404
    for path in ("/admin/v1/outbox", "/admin/v1/residents/1/messages", "/admin/v1/grid-groups"):
        assert (await api.call("GET", path, "desk")).status == 403, path
    assert (await api.call("POST", "/admin/v1/outbox/1/requeue", "desk")).status == 403
    assert (await api.call("PUT", f"/admin/v1/grid-groups/{api.leaves[0]}", "desk",
                           json={"webhook_key": "abcdefgh-1234"})).status == 403


async def test_outbox_by_status_and_requeue_of_a_dead_letter(api: Api, uid: str) -> None:
    case_no = await open_case(api, f"dead{uid}", channel="wechat")
    msg = await OutboxMessage.get(case_no=case_no, kind="case.open")
    await OutboxMessage.filter(id=msg.id).update(status="dead", channel="wechat_cs", attempts=8, last_code=40003,
                                                 last_error="40003 invalid openid")
    listed = await api.call("GET", "/admin/v1/outbox", params={"status": "dead", "per_page": "100"})
    assert listed.status == 200 and msg.id in [m["id"] for m in listed.body["items"]]
    assert all(m["status"] == "dead" for m in listed.body["items"])
    again = await api.call("POST", f"/admin/v1/outbox/{msg.id}/requeue")
    assert again.status == 200 and (again.body["status"], again.body["attempts"]) == ("pending", 0)
    assert again.body["history"][-1]["outcome"] == "requeued"
    assert (await api.call("POST", f"/admin/v1/outbox/{msg.id}/requeue")).status == 409


@pytest.mark.parametrize("status", ["nope", "dead,nope", "x" * 200, "dead\x00"])
async def test_a_bad_status_filter_is_a_400(api: Api, status: str) -> None:
    assert (await api.call("GET", "/admin/v1/outbox", params={"status": status})).status == 400


@pytest.mark.parametrize("ident", ["abc", "-1", "1e3", "99999999999999999999999", "٣", "0x10"])
async def test_hostile_ids_are_404(api: Api, ident: str) -> None:
    assert (await api.call("POST", f"/admin/v1/outbox/{ident}/requeue")).status == 404
    assert (await api.call("GET", f"/admin/v1/residents/{ident}/messages")).status == 404


async def test_hostile_pages_and_case_numbers(api: Api) -> None:
    assert (await api.call("GET", "/admin/v1/outbox", params={"per_page": "1000"})).status == 400
    assert (await api.call("GET", "/admin/v1/outbox", params={"page": "x"})).status == 400
    assert (await api.call("GET", "/admin/v1/cases/'; DROP TABLE outbox;--/messages")).status == 404


async def test_grid_group_config(api: Api, uid: str) -> None:
    code = api.leaves[1]
    await GridGroup.filter(grid_code=code).delete()
    put = await api.call("PUT", f"/admin/v1/grid-groups/{code}", json={"webhook_key": f"abcd-{uid}"})
    assert put.status == 201 and put.body["webhook_key"] == "***" + f"abcd-{uid}"[-4:]
    assert (await api.call("PUT", f"/admin/v1/grid-groups/{code}", json={"webhook_key": f"efgh-{uid}"})).status == 200
    assert (await GridGroup.get(grid_code=code)).webhook_key == f"efgh-{uid}"
    listed = await api.call("GET", "/admin/v1/grid-groups")
    assert code in [g["grid_code"] for g in listed.body["items"]]
    assert f"efgh-{uid}" not in str(listed.body)
    assert (await api.call("DELETE", f"/admin/v1/grid-groups/{code}")).status == 204
    assert (await api.call("DELETE", f"/admin/v1/grid-groups/{code}")).status == 404


@pytest.mark.parametrize("body", [{"webhook_key": "short"}, {"webhook_key": "has space here"}, {"webhook_key": 123},
                                  {"webhook_key": "x" * 101}, {}, {"webhook_key": "ключключключ"}])
async def test_bad_webhook_keys_are_400(api: Api, body: dict[str, object]) -> None:
    assert (await api.call("PUT", f"/admin/v1/grid-groups/{api.leaves[1]}", json=body)).status == 400


async def test_bad_grid_codes(api: Api) -> None:
    key = {"webhook_key": "abcdefgh-1234"}
    assert (await api.call("PUT", "/admin/v1/grid-groups/99999999", json=key)).status == 404
    assert (await api.call("PUT", "/admin/v1/grid-groups/abc", json=key)).status == 400
    assert (await api.call("PUT", "/admin/v1/grid-groups/" + "1" * 30, json=key)).status == 400
    assert (await api.call("PUT", f"/admin/v1/grid-groups/{api.leaves[1]}", data=b"[1,2]",
                           headers={"Content-Type": "application/json"})).status == 400
    assert (await api.call("PUT", f"/admin/v1/grid-groups/{api.leaves[1]}", data=b"{bad",
                           headers={"Content-Type": "application/json"})).status == 400


async def test_reminders_and_digests_are_written_once(api: Api, uid: str) -> None:
    case_no = await open_case(api, f"rem{uid}", channel="wechat")
    for step in ("verify", "register", "dispatch"):
        body = {"action": step, **({"user_id": api.staff["w1"].user_id} if step == "dispatch" else {})}
        reply = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk", json=body)
        assert reply.status == 200, reply.body
    app = api.client.app
    assert app is not None
    cases, clock = app[CASES], api.svc.clock
    start = clock.now
    try:
        clock.now = start + timedelta(days=30)  # far past the deadline: both reminders are due
        assert await periodic.remind(cases) >= 2
        keys = await OutboxMessage.filter(case_no=case_no, kind="case.remind").values_list("key", flat=True)
        assert sorted(str(k).split(":")[2] for k in keys) == ["100", "50"]
        assert await periodic.remind(cases) == 0 or await OutboxMessage.filter(
            case_no=case_no, kind="case.remind").count() == 2
        await GridGroup.filter(grid_code=api.leaves[0]).delete()
        await GridGroup.create(grid_code=api.leaves[0], webhook_key=f"dg-{uid}", updated_at=clock.now, updated_by="t")
        await OutboxMessage.filter(key__startswith="digest:").delete()  # another test's day must not hide this one
        assert await periodic.digests(cases, Directory(), digest_hour=0) >= 1
        day = f"{to_shanghai(clock.now):%Y-%m-%d}"
        digest = await OutboxMessage.get(key=f"digest:{day}:grid:{api.leaves[0]}")
        assert digest.kind == "digest.grid" and case_no in [i["case_no"] for i in digest.payload["items"]]
        assert await periodic.digests(cases, Directory(), digest_hour=0) == 0  # once a day
    finally:
        clock.now = start
