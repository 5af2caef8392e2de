"""The admin API's happy paths and JSON shapes, on SQLite and PostgreSQL: reports, cases, grid,
taxonomy, health, metrics and request ids."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.composition import Domain
from bot.keys import CASES as CASES_KEY
from bot.keys import SERVING
from bot.settings import load_settings
from intake.audit import GENESIS, link_hash
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role, Status, allowed_actions
from intake.grid.geodesy import wgs84_to_gcj02
from tests.bot.conftest import (
    BOOTSTRAP_TOKEN,
    OTHER_STREET,
    QUIET_CATEGORY,
    ROAD,
    ROAD_ACTIONS,
    WORKER_STREET,
    Api,
    act,
    case_in,
    open_case,
    report,
)
from tests.conftest import T0, state_dirs

CASES = "/admin/v1/cases"
TAXONOMY = "/admin/v1/taxonomy"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
ROLE_OF = {"admin": Role.ADMIN, "desk": Role.DISPATCHER, "w1": Role.WORKER}


async def get_case(api: Api, case_no: str, who: str = "admin") -> dict[str, Any]:
    reply = await api.call("GET", f"{CASES}/{case_no}", who)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


# -- reports ---------------------------------------------------------------------------------------

async def test_report_is_201_with_the_case_shape(api: Api, uid: str) -> None:
    reply = await report(api, uid, f"{uid} 路灯不亮了")
    assert reply.status == 201, reply.body
    body = reply.body
    assert set(body) == {"case_no", "status", "category", "grid", "severity", "deadline", "confidence",
                         "assignee", "duplicates", "opening_hash"}
    events = (await api.call("GET", f"/admin/v1/cases/{body['case_no']}")).body["events"]
    assert body["opening_hash"] == events[0]["hash"]  # the receipt's evidence code commits to the report
    assert parse_case_no(body["case_no"]) == body["case_no"] and body["case_no"].startswith("440307-20261118-")
    assert body["status"] == "reported" and body["severity"] == "blue"
    assert body["category"] == {"code": QUIET_CATEGORY, "name": "路灯异常"}
    assert body["grid"] == {"code": api.leaves[0], "name": api.svc.ctx.grid.index.cell(api.leaves[0]).name}
    limit = api.svc.ctx.taxonomy.catalog.get(QUIET_CATEGORY).limit_hours
    assert body["deadline"] == api.svc.ctx.sla.deadline(T0, limit, "blue").isoformat()
    assert body["confidence"] == 1.0 and body["assignee"] == {"user_id": None}
    assert isinstance(body["duplicates"], list)


async def test_report_in_gcj02_is_placed_and_stored_in_wgs84(api: Api, uid: str) -> None:
    lat, lng = api.point(api.leaves[1])
    glng, glat = wgs84_to_gcj02(lng, lat)
    reply = await report(api, uid, lat=glat, lng=glng, datum="gcj02")
    assert reply.status == 201, reply.body
    assert reply.body["grid"]["code"] == api.leaves[1]
    case = await get_case(api, reply.body["case_no"])
    assert abs(case["lat"] - lat) < 1e-5 and abs(case["lng"] - lng) < 1e-5


async def test_address_only_report_is_placed_by_the_gazetteer(api: Api, uid: str) -> None:
    reply = await report(api, uid, "这里的路灯不亮", lat=None, lng=None, address="较场尾")
    assert reply.status == 201, reply.body
    assert reply.body["grid"]["code"].startswith("440307010")  # 较场尾 lies in 大鹏 street
    case = await get_case(api, reply.body["case_no"])
    assert case["lat"] is None and case["address"] == "较场尾"


async def test_report_without_category_is_classified(api: Api, uid: str) -> None:
    reply = await report(api, uid, "小区门口的路灯坏了，晚上一片漆黑", category=None)
    assert reply.status == 201, reply.body
    assert reply.body["category"] is not None and 0 < reply.body["confidence"] <= 1
    assert (await get_case(api, reply.body["case_no"]))["classifier"] != "reporter"


@pytest.mark.parametrize(("language", "name"), [("zh-CN", "政策咨询"), ("en-US", "Enquiry")])
async def test_category_chosen_by_the_reporter_is_kept(api: Api, uid: str, language: str, name: str) -> None:
    body = {"channel": "test", "reporter": uid, "description": "想咨询一下政策", "category": "29001"}
    reply = await api.call("POST", "/admin/v1/reports", "desk", json=body, headers={"Accept-Language": language})
    assert reply.status == 201, reply.body
    assert reply.body["category"]["code"] == "29001" and reply.body["confidence"] == 1.0
    assert reply.body["category"]["name"] == name


async def test_self_handle_report_is_dispatched_to_the_cell_worker(api: Api, uid: str) -> None:
    reply = await report(api, uid, "路边暴露垃圾没人清理", category="06010", leaf=api.leaves[1])
    assert reply.status == 201, reply.body
    lat, lng = api.point(api.leaves[1])
    located = await api.call("GET", "/admin/v1/grid/locate", params={"lat": str(lat), "lng": str(lng)})
    assert reply.body["status"] == "dispatched"
    assert reply.body["assignee"]["user_id"] == located.body["worker"]["user_id"] is not None
    events = (await get_case(api, reply.body["case_no"]))["events"]
    assert [e["action"] for e in events] == ["open", "register", "dispatch"]


async def test_second_similar_report_nearby_lists_the_first(api: Api, uid: str) -> None:
    first = await open_case(api, uid + "a", description=f"{uid}号楼门口的路灯坏了好几天", leaf=api.leaves[1])
    lat, lng = api.point(api.leaves[1])
    reply = await report(api, uid + "b", f"{uid}号楼门口路灯坏了", lat=lat + 0.0002, lng=lng)
    assert reply.status == 201, reply.body
    found = {d["case_no"]: d for d in reply.body["duplicates"]}
    assert first in found
    assert set(found[first]) == {"case_no", "status", "description", "similarity", "distance_m"}
    assert found[first]["status"] == "reported" and found[first]["similarity"] >= 0.2
    assert 10 < found[first]["distance_m"] < 40


async def test_red_words_make_a_red_case(api: Api, uid: str) -> None:
    reply = await report(api, uid, "楼道里闻到很浓的煤气味，好像燃气泄漏了", category=None)
    assert reply.status == 201 and reply.body["severity"] == "red"


# -- listing ---------------------------------------------------------------------------------------

async def filter_set(api: Api) -> tuple[str, dict[str, str]]:
    """Three cases of one reporter, made once per backend: A verifying in the worker's grid (路灯), B reported
    in the worker's other grid (29001 政策咨询), C reported in another street (01038 地灯)."""
    if "filters" not in api.memo:
        who = "filters-" + uuid.uuid4().hex[:8]
        cases = {"A": await open_case(api, who, description=f"{who} 路灯不亮"),
                 "B": await open_case(api, who, description=f"{who} 咨询政策", category="29001", leaf=api.leaves[1]),
                 "C": await open_case(api, who, description=f"{who} 地灯坏了", category="01038", leaf=api.other_leaf)}
        assert (await act(api, cases["A"], "verify", "desk")).status == 200
        api.memo["filters"] = who, cases
    found: tuple[str, dict[str, str]] = api.memo["filters"]
    return found


FILTERS: dict[str, tuple[dict[str, str], str]] = {
    "no-filter": ({}, "CBA"),
    "status": ({"status": "reported"}, "CB"),
    "status-list": ({"status": "verifying,reported"}, "CBA"),
    "status-unknown": ({"status": "closed"}, ""),
    "grid-leaf": ({"grid": "<leaf0>"}, "A"),
    "grid-street": ({"grid": WORKER_STREET}, "BA"),
    "grid-other-street": ({"grid": OTHER_STREET}, "C"),
    "category-leaf": ({"category": QUIET_CATEGORY}, "A"),
    "category-major": ({"category": "01"}, "CA"),
    "category-other-major": ({"category": "29"}, "B"),
    "category-prefix-is-not-a-major": ({"category": "010"}, ""),
    "text": ({"text": "咨询政策"}, "B"),
    "text-address-or-number": ({"text": "不存在的字样"}, ""),
    "overdue-false": ({"overdue": "false"}, "CBA"),
    "overdue-true": ({"overdue": "true"}, ""),
    "combined": ({"status": "reported", "category": "01"}, "C"),
}


@pytest.mark.parametrize("name", list(FILTERS))
async def test_list_filters(api: Api, name: str) -> None:
    who, cases = await filter_set(api)
    params, expected = FILTERS[name]
    params = {k: v.replace("<leaf0>", api.leaves[0]) for k, v in params.items()}
    reply = await api.call("GET", CASES, params={"reporter": who, **params})
    assert reply.status == 200, reply.body
    assert [item["case_no"] for item in reply.body["items"]] == [cases[x] for x in expected]
    assert reply.body["total"] == len(expected)


async def test_text_filter_alone_finds_the_reporter_cases(api: Api) -> None:
    who, cases = await filter_set(api)
    reply = await api.call("GET", CASES, params={"text": who})
    assert sorted(i["case_no"] for i in reply.body["items"]) == sorted(cases.values())
    reply = await api.call("GET", CASES, params={"text": cases["B"][-7:]})  # part of a case number
    assert [i["case_no"] for i in reply.body["items"]] == [cases["B"]]


async def test_assignee_filter(api: Api) -> None:
    case_no = await case_in(api, "handling")
    worker = str(api.staff["w1"].user_id)
    reply = await api.call("GET", CASES, params={"assignee": worker, "reporter": "walked-handling"})
    assert [i["case_no"] for i in reply.body["items"]] == [case_no]
    assert all(i["assignee"]["user_id"] == int(worker) for i in reply.body["items"])
    other = await api.call("GET", CASES, params={"assignee": str(api.staff["w2"].user_id),
                                                 "reporter": "walked-handling"})
    assert other.body["total"] == 0


async def test_overdue_follows_the_clock(api: Api) -> None:
    who, cases = await filter_set(api)
    api.svc.clock.advance(days=30)
    overdue = await api.call("GET", CASES, params={"reporter": who, "overdue": "true"})
    assert sorted(i["case_no"] for i in overdue.body["items"]) == sorted(cases.values())
    assert {i["light"] for i in overdue.body["items"]} == {"red"}
    on_time = await api.call("GET", CASES, params={"reporter": who, "overdue": "0"})
    assert on_time.body["total"] == 0


@pytest.mark.parametrize(("page", "per_page", "expected"), [(1, 2, "CB"), (2, 2, "A"), (3, 2, ""), (3, 1, "A"),
                                                            (1, 100, "CBA"), (1, 1, "C")])
async def test_pagination(api: Api, page: int, per_page: int, expected: str) -> None:
    who, cases = await filter_set(api)
    reply = await api.call("GET", CASES, params={"reporter": who, "page": str(page), "per_page": str(per_page)})
    assert reply.status == 200, reply.body
    assert (reply.body["page"], reply.body["per_page"], reply.body["total"]) == (page, per_page, 3)
    assert [i["case_no"] for i in reply.body["items"]] == [cases[x] for x in expected]


async def test_list_item_shape(api: Api) -> None:
    who, _ = await filter_set(api)
    item = (await api.call("GET", CASES, "w1", params={"reporter": who, "status": "verifying"})).body["items"][0]
    assert set(item) == {"case_no", "status", "status_label", "category", "grid", "severity", "deadline", "light",
                         "light_label", "escalation_level", "opened_at", "closed_at", "description", "address",
                         "assignee", "allowed_actions", "task", "handler_user_id", "assists", "position_flags"}
    assert item["light"] == "green" and item["status_label"]
    assert offered_by_table(item["allowed_actions"], Status.VERIFYING, Role.WORKER)


# -- one case, its events, its allowed actions -----------------------------------------------------

TASK_BOUND = frozenset({"verified", "checked", "answer_assist", "waive_assist"})  # offered to the task's holder


def offered_by_table(got: list[str], status: Status, role: Role) -> bool:
    """The role table's steps, in its order, less the task steps this person does not hold."""
    return [a for a in allowed_actions(status, role) if a not in TASK_BOUND or a in got] == got

def chain_holds(case_no: str, events: list[dict[str, Any]]) -> bool:
    """Recompute the hash chain from the API's own event fields."""
    prev = GENESIS
    for e in events:
        fields = {"case_no": case_no, "seq": e["seq"], "action": e["action"], "from_status": e["from"],
                  "to_status": e["to"], "actor": e["actor"], "role": e["role"], "at": datetime.fromisoformat(e["at"]),
                  "note": e["note"], "attachments": e["attachments"], "data": e["data"]}
        if not HEX64.match(e["hash"]) or link_hash(prev, fields) != e["hash"]:
            return False
        prev = e["hash"]
    return True


async def test_whole_road_with_events_and_allowed_actions_per_role(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    for status, action in zip(ROAD, (*ROAD_ACTIONS, None), strict=True):
        for who, role in ROLE_OF.items():
            case = await get_case(api, case_no, who)
            assert case["status"] == status
            assert offered_by_table(case["allowed_actions"], Status(status), role), (status, who)
        if action is not None:
            api.svc.clock.advance(minutes=10)
            reply = await act(api, case_no, action, "w1" if action in ("accept", "handle") else "desk")
            assert reply.status == 200 and reply.body["status"] == ROAD[ROAD.index(status) + 1], reply.body
    case = await get_case(api, case_no)
    events = case["events"]
    assert [e["action"] for e in events] == ["open", *ROAD_ACTIONS]
    assert [(e["from"], e["to"]) for e in events] == [(None, "reported"), *itertools.pairwise(ROAD)]
    assert [e["seq"] for e in events] == list(range(1, 9))
    assert events[4]["actor"] == f"user:{api.staff['w1'].user_id}" and events[4]["role"] == "worker"
    assert events[3]["data"]["assignee_user_id"] == api.staff["w1"].user_id
    assert chain_holds(case_no, events)
    assert case["closed_at"] == (T0 + timedelta(minutes=70)).isoformat()
    assert case["allowed_actions"] == ["comment", "reopen", "spot_check"]  # 抽查: a closed case may be re-checked


async def test_case_detail_shape(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid, photos=["media/1.jpg"])
    case = await get_case(api, case_no)
    assert {"channel", "reporter", "lat", "lng", "photos", "confidence", "classifier", "taxonomy_version",
            "limit_hours", "merged_into", "reopen_count", "extension_request", "co_reporters",
            "events"} <= set(case)
    assert (case["channel"], case["reporter"], case["photos"]) == ("test", uid, ["media/1.jpg"])
    event = case["events"][0]
    assert set(event) == {"seq", "action", "from", "to", "actor", "role", "at", "note", "attachments", "data",
                          "hash"}
    assert event["actor"] == f"test:{uid}" and event["role"] == "resident" and event["attachments"] == ["media/1.jpg"]


async def test_merge_records_the_co_reporter(api: Api, uid: str) -> None:
    target = await open_case(api, uid + "a")
    source = await open_case(api, uid + "b")
    reply = await act(api, source, "merge", "desk", into=target)
    assert reply.status == 200 and reply.body["status"] == "merged"
    merged, kept = await get_case(api, source), await get_case(api, target)
    assert merged["merged_into"] == target
    assert kept["co_reporters"] == [{"channel": "test", "reporter": uid + "b"}]
    assert kept["events"][-1]["action"] == "second"
    assert (await act(api, target, "merge", "desk", into=target)).status == 400  # not into itself


async def test_suspend_and_resume_through_the_api(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    assert (await act(api, case_no, "register", "desk")).status == 200
    deadline = (await get_case(api, case_no))["deadline"]
    assert (await act(api, case_no, "suspend", "desk")).body["status"] == "suspended"
    api.svc.clock.advance(hours=5)
    reply = await act(api, case_no, "resume", "desk")
    assert reply.body["status"] == "registered"
    moved = datetime.fromisoformat(reply.body["deadline"]) - datetime.fromisoformat(deadline)
    assert moved == timedelta(hours=5)  # the pause does not count


async def test_extension_request_and_approval(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    for action in ("register", "dispatch"):
        assert (await act(api, case_no, action, "desk")).status == 200
    assert (await act(api, case_no, "approve_extension", "desk")).status == 409  # nothing pending
    assert (await act(api, case_no, "request_extension", "w1")).status == 200
    assert (await get_case(api, case_no))["extension_request"]["hours"] == 24
    before = (await get_case(api, case_no))["deadline"]
    reply = await act(api, case_no, "approve_extension", "desk")
    assert reply.status == 200 and reply.body["deadline"] > before


async def test_reclassify_keeps_before_and_after(api: Api, uid: str) -> None:
    case_no = await open_case(api, uid)
    reply = await act(api, case_no, "reclassify", "desk")
    assert reply.status == 200 and reply.body["category"]["code"] == "01038"
    last = (await get_case(api, case_no))["events"][-1]
    assert (last["data"]["before"], last["data"]["after"]) == (QUIET_CATEGORY, "01038")


# -- grid ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("datum", ["wgs84", "gcj02"])
async def test_locate_answers_the_cell_its_chain_and_worker(api: Api, datum: str) -> None:
    lat, lng = api.point(api.leaves[0])
    if datum == "gcj02":
        lng, lat = wgs84_to_gcj02(lng, lat)
    reply = await api.call("GET", "/admin/v1/grid/locate", "w1",
                           params={"lat": str(lat), "lng": str(lng), "datum": datum})
    assert reply.status == 200, reply.body
    assert reply.body["code"] == api.leaves[0] and reply.body["inside"] is True and reply.body["distance_m"] == 0
    chain = reply.body["chain"]
    assert [c["code"] for c in chain][:2] == ["440307", WORKER_STREET] and chain[-1]["code"] == api.leaves[0]
    assert [c["level"] for c in chain] == ["district", "street", "community", "unit", "responsibility"]
    worker = await api.svc.ctx.grid.worker_for(api.leaves[0])
    assert worker is not None and reply.body["worker"] == {"user_id": worker.id, "name": worker.name}


# -- taxonomy --------------------------------------------------------------------------------------

def local_category(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "parent": "29", "name_zh": f"接口测试类别{code}", "name_en": f"API test {code}",
            "severity": "yellow", "time_limit_hours": 24, **extra}


async def add_category(api: Api, code: str, **extra: Any) -> dict[str, Any]:
    reply = await api.call("POST", TAXONOMY, "admin", json=local_category(code, **extra))
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


async def taxonomy_version(api: Api) -> int:
    return int((await api.call("GET", TAXONOMY)).body["version"])


async def test_taxonomy_list_get_and_versions(api: Api) -> None:
    listing = await api.call("GET", TAXONOMY, "w1")
    assert listing.status == 200 and listing.body["version"] >= 1
    codes = [c["code"] for c in listing.body["items"]]
    assert QUIET_CATEGORY in codes and "01" in codes and codes == sorted(codes)
    assert not any(c["retired"] for c in listing.body["items"])
    one = await api.call("GET", f"{TAXONOMY}/{QUIET_CATEGORY}", params={"lang": "en"})
    assert one.status == 200
    assert {"code", "kind", "parent", "name", "name_zh", "name_en", "severity", "time_limit_hours", "handler",
            "department", "self_handle", "synonyms", "retired", "successor"} == set(one.body)
    assert (one.body["parent"], one.body["name_zh"], one.body["name"]) == ("01", "路灯异常", one.body["name_en"])
    versions = (await api.call("GET", f"{TAXONOMY}/versions")).body["items"]
    assert versions[-1]["version"] == 1 and versions[-1]["note"] == "shipped taxonomy"
    assert [v["version"] for v in versions] == sorted((v["version"] for v in versions), reverse=True)
    assert (await api.call("GET", f"{TAXONOMY}/88888")).status == 404


async def test_admin_adds_a_local_category_and_reports_can_use_it(api: Api, uid: str) -> None:
    version = await taxonomy_version(api)
    created = await add_category(api, "29901")
    assert (created["code"], created["kind"], created["parent"], created["version"]) == ("29901", "local", "29",
                                                                                         version + 1)
    assert (await api.call("GET", f"{TAXONOMY}/29901")).body["name_zh"] == "接口测试类别29901"
    assert "29901" in [c["code"] for c in (await api.call("GET", TAXONOMY)).body["items"]]
    latest = (await api.call("GET", f"{TAXONOMY}/versions")).body["items"][0]
    assert latest["version"] == version + 1 and latest["changes"] == [{"code": "29901", "op": "add"}]
    assert latest["actor"] == f"user:{api.staff['admin'].user_id}"
    reply = await report(api, uid, "一个本地类别的事项", category="29901")
    assert reply.status == 201 and reply.body["category"]["code"] == "29901" and reply.body["severity"] == "yellow"
    again = await api.call("POST", TAXONOMY, "admin", json=local_category("29901"))
    assert (again.status, again.error) == (400, "invalid")


async def test_rename_keeps_the_code_and_old_cases_keep_their_version(api: Api, uid: str) -> None:
    await add_category(api, "29902")
    case_no = await open_case(api, uid, category="29902")
    before = await get_case(api, case_no)
    reply = await api.call("PATCH", f"{TAXONOMY}/29902", "admin", json={"name_zh": "改过名的类别"})
    assert reply.status == 200, reply.body
    assert (reply.body["code"], reply.body["name_zh"]) == ("29902", "改过名的类别")
    assert reply.body["version"] == before["taxonomy_version"] + 1
    after = await get_case(api, case_no)
    assert after["category"] == {"code": "29902", "name": "改过名的类别"}
    assert after["taxonomy_version"] == before["taxonomy_version"]
    latest = (await api.call("GET", f"{TAXONOMY}/versions")).body["items"][0]
    assert latest["changes"] == [{"code": "29902", "op": "edit"}]


async def test_retired_category_is_hidden_and_refused_for_new_reports(api: Api, uid: str) -> None:
    await add_category(api, "29903")
    reply = await api.call("PATCH", f"{TAXONOMY}/29903", "admin", json={"retired": True})
    assert reply.status == 200 and reply.body["retired"] is True
    assert "29903" not in [c["code"] for c in (await api.call("GET", TAXONOMY)).body["items"]]
    everything = await api.call("GET", TAXONOMY, params={"include_retired": "true"})
    assert "29903" in [c["code"] for c in everything.body["items"]]
    assert (await api.call("GET", f"{TAXONOMY}/29903")).body["retired"] is True
    refused = await report(api, uid, "选择了已停用的类别", category="29903")
    assert (refused.status, refused.error) == (400, "invalid"), refused.body
    assert (await api.call("GET", CASES, params={"reporter": uid})).body["total"] == 0


async def test_retired_category_with_a_successor_resolves_to_it(api: Api, uid: str) -> None:
    await add_category(api, "29906")
    reply = await api.call("PATCH", f"{TAXONOMY}/29906", "admin", json={"retired": True, "successor": "29001"})
    assert reply.status == 200, reply.body
    opened = await report(api, uid, "选择了已合并的类别", category="29906")
    assert opened.status == 201 and opened.body["category"]["code"] == "29001"


async def test_reparent_moves_a_category(api: Api) -> None:
    await add_category(api, "29904")
    reply = await api.call("PATCH", f"{TAXONOMY}/29904", "admin", json={"parent": "23"})
    assert reply.status == 200 and (reply.body["code"], reply.body["parent"]) == ("29904", "23")
    assert (await api.call("GET", f"{TAXONOMY}/29904")).body["parent"] == "23"
    latest = (await api.call("GET", f"{TAXONOMY}/versions")).body["items"][0]
    assert latest["changes"] == [{"code": "29904", "op": "reparent"}]


BAD_CATEGORIES: dict[str, dict[str, Any]] = {
    "code-four-digits": {"code": "2990"},
    "code-letters": {"code": "29x01"},
    "code-two-digits-is-a-major": {"code": "31"},
    "code-already-used": {"code": QUIET_CATEGORY},
    "parent-unknown-major": {"parent": "99"},
    "parent-three-digits": {"parent": "290"},
    "parent-missing": {"parent": None},
    "name-missing": {"name_zh": None},
    "name-empty": {"name_zh": ""},
    "severity-purple": {"severity": "purple"},
    "limit-zero": {"time_limit_hours": 0},
    "limit-too-long": {"time_limit_hours": 24 * 91},
    "handler-department-without-one": {"handler": "department"},
    "department-unknown": {"department": "no-such-department"},
    "too-many-synonyms": {"synonyms": [f"同义{i}" for i in range(51)]},
    "unknown-field": {"kind": "major"},
    "retired-on-add": {"retired": True},
}


@pytest.mark.parametrize("kind", list(BAD_CATEGORIES))
async def test_invalid_new_category_is_400(api: Api, kind: str) -> None:
    version = await taxonomy_version(api)
    body = {k: v for k, v in (local_category("29980") | BAD_CATEGORIES[kind]).items() if v is not None}
    reply = await api.call("POST", TAXONOMY, "admin", json=body)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await taxonomy_version(api) == version
    if body["code"] != QUIET_CATEGORY:
        assert (await api.call("GET", f"{TAXONOMY}/{body['code']}")).status == 404


BAD_PATCHES: dict[str, dict[str, Any]] = {
    "code-change": {"code": "29999"},
    "name-empty": {"name_zh": ""},
    "name-null": {"name_zh": None},
    "name-en-null": {"name_en": None},
    "severity-null": {"severity": None},
    "parent-unknown": {"parent": "99"},
    "parent-null": {"parent": None},
    "successor-unknown": {"successor": "77777"},
    "successor-itself-cycle": {"retired": True, "successor": "29905"},
    "retired-maybe": {"retired": "maybe"},
    "department-unknown": {"department": "no-such-department"},
    "not-an-object": {"__list__": True},
}


@pytest.mark.parametrize("kind", list(BAD_PATCHES))
async def test_invalid_category_change_is_400(api: Api, kind: str) -> None:
    if (await api.call("GET", f"{TAXONOMY}/29905")).status == 404:
        await add_category(api, "29905")
    version = await taxonomy_version(api)
    body: Any = [] if kind == "not-an-object" else BAD_PATCHES[kind]
    reply = await api.call("PATCH", f"{TAXONOMY}/29905", "admin", json=body)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
    assert await taxonomy_version(api) == version
    assert (await api.call("GET", f"{TAXONOMY}/29905")).body["name_zh"] == "接口测试类别29905"


async def test_change_of_an_unknown_category_is_404(api: Api) -> None:
    reply = await api.call("PATCH", f"{TAXONOMY}/88888", "admin", json={"name_zh": "不存在"})
    assert (reply.status, reply.error) == (404, "not_found")


# -- health, metrics, request ids ------------------------------------------------------------------

async def test_healthz_without_redis(api: Api) -> None:
    reply = await api.call("GET", "/healthz", None)
    assert (reply.status, reply.body) == (200, {"status": "ok", "db": "ok", "redis": "absent",
                                                "classifier": "keyword", "model_version": None,
                                                "default_model": "off"})  # an app in a test builds none


@pytest.fixture
async def redis_down_client(api: Api, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient[Any, Any]]:
    """A second app whose Redis is a closed port. It only answers /healthz here, so it borrows the first
    app's case context instead of building its own (seconds of grid index per backend)."""
    settings = load_settings({"GRIDLINE_DATABASE_URL": api.svc.url, "GRIDLINE_ADMIN_TOKEN": BOOTSTRAP_TOKEN,
                              "GRIDLINE_REDIS_URL": "redis://127.0.0.1:1/0", **state_dirs(api.svc.home)})
    domain = Domain(api.client.app[CASES_KEY], api.client.app[SERVING])

    async def borrowed(*_: object, **__: object) -> Domain:
        return domain

    monkeypatch.setattr("bot.app.build_context", borrowed)
    client = TestClient(TestServer(create_app(settings, clock=api.svc.clock, sweeper=False, own_database=False)))
    await client.start_server()
    yield client
    await client.close()


async def test_healthz_is_degraded_not_down_when_redis_is_down(redis_down_client: TestClient[Any, Any]) -> None:
    # A Redis outage is survivable (#18): a 503 would have a liveness probe restart healthy web processes.
    async with redis_down_client.get("/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"status": "degraded", "db": "ok", "redis": "down", "classifier": "keyword",
                                     "model_version": None, "default_model": "off"}


async def test_metrics_count_requests_and_opened_cases(api: Api, uid: str) -> None:
    channel = f"m{uid}"
    reply = await report(api, uid, channel=channel)
    assert reply.status == 201
    metrics = await api.call("GET", "/metrics", None)
    assert metrics.status == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    assert f'gridline_cases_opened_total{{channel="{channel}",routed="False"}} 1.0' in metrics.body
    assert re.search(r'gridline_http_requests_total\{method="POST",route="/admin/v1/reports",status="201"\} '
                     r"[1-9]", metrics.body)


async def test_request_id_is_echoed_or_made_up(api: Api) -> None:
    for who, path, status in ((None, "/healthz", 200), ("desk", CASES, 200), (None, CASES, 401),
                              ("desk", f"{CASES}/440307-20261118-99999-0", 404)):
        echoed = await api.call("GET", path, who, headers={"X-Request-Id": "trace-42"})
        assert (echoed.status, echoed.headers["X-Request-Id"]) == (status, "trace-42")
        made = await api.call("GET", path, who)
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    long = await api.call("GET", "/healthz", None, headers={"X-Request-Id": "x" * 500})
    assert long.headers["X-Request-Id"] == "x" * 64
