"""Filing and reading requests: api keys, the channel recorded, the spec's fields in JSON and XML, filters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from aiohttp.test_utils import TestClient

from intake.cases.model import ActionRequest, Actor
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.sla.calendar import to_shanghai
from intake.store.models import Case, Department, Open311Submission
from tests.bot.open311.conftest import Open311, form, spec_fields

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
DESK = Actor(ref="admin:open311-test", name="测试管理员", role=Role.ADMIN)


async def _file(o311: Open311, **fields: str) -> str:
    answer = await o311.call("POST", "/requests.json", data=form(o311, **fields))
    assert answer.status == 201, answer.text
    return str(answer.json()[0]["service_request_id"])


async def test_a_request_needs_a_valid_key_before_anything_else(o311: Open311) -> None:
    for key in (None, "", "o311_forged", "glt_staff-token"):
        data = {"service_code": "nonsense"} | ({"api_key": key} if key is not None else {})
        answer = await o311.call("POST", "/requests.json", data=data)
        assert (answer.status, answer.json()[0]["code"]) == (403, 403), key
    xml = await o311.call("POST", "/requests.xml", data={"service_code": "01037"})
    assert xml.status == 403 and ET.fromstring(xml.text).findtext("error/code") == "403"


async def test_filing_records_the_client_system_as_channel(o311: Open311) -> None:
    answer = await o311.call("POST", "/requests.json", data=form(
        o311, account_id="acct-42", email="resident@example.cn", first_name="小", last_name="王", phone="13800000000",
        media_url="https://cdn.example.cn/p/1.jpg", **{"attribute[landmark]": "便利店旁", "attribute[urgent]": "no",
                                                       "device_id": ""}))
    assert answer.status == 201, answer.text
    [created] = answer.json()
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    assert created["account_id"] == "acct-42" and created["service_notice"].startswith("expected by 20")
    case = await Case.get(case_no=created["service_request_id"])
    assert (case.channel, case.reporter, case.category_code) == (f"open311:{o311.name}", "acct-42", "01037")
    assert case.photos == ["https://cdn.example.cn/p/1.jpg"] and case.address == "便利店旁"
    kept = await Open311Submission.get(case_no=case.case_no)
    assert kept.contact == {"email": "resident@example.cn", "account_id": "acct-42", "first_name": "小",
                            "last_name": "王", "phone": "13800000000"}
    assert kept.attributes == {"landmark": "便利店旁", "urgent": "no"} and kept.client == o311.name
    xml = await o311.call("POST", "/requests.xml", data=form(o311))
    root = ET.fromstring(xml.text)
    assert (xml.status, root.tag) == (201, "service_requests")
    assert root.findtext("request/service_request_id") and root.find("request/account_id") is not None


async def test_locations_other_than_coordinates(o311: Open311) -> None:
    by_address = await _file(o311, lat="", long="", address_string="南澳街道")
    assert (await Case.get(case_no=by_address)).address == "南澳街道"
    leaf = o311.svc.ctx.grid.index.leaves[5].code
    by_grid = await _file(o311, lat="", long="", address_id=leaf)
    assert (await Case.get(case_no=by_grid)).grid_code == leaf
    nameless = await _file(o311, description="")
    assert (await Case.get(case_no=nameless)).description == "路灯异常"  # the service's name stands in


async def test_bad_requests_are_400_or_404(o311: Open311) -> None:
    lat, lng = o311.point()
    bad = {
        "no location": ({"lat": "", "long": ""}, 400),
        "lat alone": ({"long": ""}, 400),
        "lat out of range": ({"lat": "95"}, 400),
        "lat not a number": ({"lat": "north"}, 400),
        "unknown grid": ({"lat": "", "long": "", "address_id": "999999999"}, 400),
        "unknown attribute": ({"attribute[colour]": "red"}, 400),
        "bad urgent": ({"attribute[urgent]": "maybe"}, 400),
        "listed landmark": ({"attribute[landmark][]": "a"}, 400),
        "long description": ({"description": "长" * 2001}, 400),
        "bad media_url": ({"media_url": "javascript:alert(1)"}, 400),
        "unknown field": ({"colour": "red"}, 400),
        "nul": ({"description": "a\x00b"}, 400),
        "unknown service": ({"service_code": "99999"}, 404),
        "a major is no service": ({"service_code": "01"}, 404),
    }
    for name, (fields, status) in bad.items():
        answer = await o311.call("POST", "/requests.json", data=form(o311, **fields))
        assert (answer.status, answer.json()[0]["code"]) == (status, status), (name, answer.text)
        assert isinstance(answer.json()[0]["description"], str)
    twice = [("api_key", o311.key), ("service_code", "01037"), ("service_code", "01038"), ("lat", str(lat)),
             ("long", str(lng))]
    assert (await o311.call("POST", "/requests.json", data=twice)).status == 400


async def test_reading_needs_a_key_unless_reads_are_public(o311: Open311,
                                                            open_server: TestClient) -> None:  # type: ignore[type-arg]
    case_no = await _file(o311)
    for path in ("/requests.json", f"/requests/{case_no}.json", f"/tokens/{case_no}.json"):
        assert (await o311.call("GET", path)).status == 403
        assert (await o311.call("GET", path, params={"api_key": "o311_wrong"})).status == 403
        assert (await o311.call("GET", path, params={"api_key": o311.key})).status == 200
        async with open_server.get("/open311/v2" + path) as resp:
            assert resp.status == 200, path


async def test_a_request_has_the_spec_fields_in_json_and_xml(o311: Open311) -> None:
    case_no = await _file(o311, address_string="南澳大道88号")
    fields = spec_fields("Request (GET) fields")
    key = {"api_key": o311.key}
    [item] = (await o311.call("GET", f"/requests/{case_no}.json", params=key)).json()
    assert list(item) == fields
    assert (item["service_request_id"], item["status"], item["service_code"]) == (case_no, "open", "01037")
    assert item["status_notes"].startswith("reported") and item["service_name"] == "路灯异常"
    assert item["agency_responsible"] and item["address"] == "南澳大道88号" and item["media_url"] is None
    for when in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO.match(item[when]) and item[when].endswith("+08:00"), when
    xml = ET.fromstring((await o311.call("GET", f"/requests/{case_no}.xml", params=key)).text)
    assert xml.tag == "service_requests" and len(xml) == 1
    element = xml.find("request")
    assert element is not None and [child.tag for child in element] == fields
    for child in element:
        value = item[child.tag]
        assert child.text == (None if value is None else str(value)), child.tag


async def test_closed_requests_show_the_state_and_agency(o311: Open311) -> None:
    case_no = await _file(o311)
    department = await Department.filter(code__endswith="-urban").first() or await Department.first()
    assert department is not None
    ctx = o311.svc.ctx
    for action, params in (("verify", {}), ("register", {}), ("dispatch", {"department": department.code})):
        await act(ctx, case_no, DESK, ActionRequest(action, f"{action} 说明", params=params))
    key = {"api_key": o311.key}
    [dispatched] = (await o311.call("GET", f"/requests/{case_no}.json", params=key)).json()
    assert (dispatched["status"], dispatched["agency_responsible"]) == ("open", department.name)
    assert dispatched["status_notes"].startswith("dispatched")
    for action in ("accept", "handle", "check", "close"):
        await act(ctx, case_no, DESK, ActionRequest(action, f"{action} 说明"))
    [closed] = (await o311.call("GET", f"/requests/{case_no}.json", params=key)).json()
    assert (closed["status"], closed["status_notes"]) == ("closed", "closed: resolved and checked")
    case = await Case.get(case_no=case_no)
    assert case.closed_at is not None and closed["updated_datetime"] == to_shanghai(case.closed_at).isoformat()
    numbers = (await o311.call("GET", "/requests.json", params={**key, "status": "closed",
                                                                 "service_request_id": ""})).json()
    assert case_no in [r["service_request_id"] for r in numbers]
    still_open = (await o311.call("GET", "/requests.json", params={**key, "status": "open"})).json()
    assert case_no not in [r["service_request_id"] for r in still_open]


async def test_filters(o311: Open311) -> None:
    first, second = await _file(o311), await _file(o311, service_code="01038")
    key = {"api_key": o311.key}

    async def ids(**params: str) -> list[str]:
        answer = await o311.call("GET", "/requests.json", params={**key, **params})
        assert answer.status == 200, answer.text
        return [r["service_request_id"] for r in answer.json()]

    assert set(await ids(service_request_id=f"{first},{second},bogus", service_code="99999")) == {first, second}
    assert first not in await ids(service_code="01038") and second in await ids(service_code="01038,01039")
    now = o311.svc.clock.now
    assert first in await ids(start_date=(now - timedelta(days=1)).isoformat(), end_date=now.isoformat())
    assert first not in await ids(end_date=(now - timedelta(days=1)).isoformat())
    assert len(await ids(page_size="1")) == 1
    assert (await ids(page_size="1", page="2"))[0] != (await ids(page_size="1"))[0]
    for params in ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
                   {"start_date": "2026-11-01"}, {"end_date": "yesterday"}, {"status": "pending"},
                   {"page_size": "1001"}, {"page": "0"}, {"service_code": "x" * 17},
                   {"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-10T00:00:00+08:00"}):
        answer = await o311.call("GET", "/requests.json", params={**key, **params})
        assert (answer.status, answer.json()[0]["code"]) == (400, 400), params


async def test_one_request_and_tokens(o311: Open311) -> None:
    case_no = await _file(o311)
    key = {"api_key": o311.key}
    assert (await o311.call("GET", "/requests/440307-20261118-99999-0.json", params=key)).status == 404
    assert (await o311.call("GET", "/requests/garbage.xml", params=key)).status == 404
    token = (await o311.call("GET", f"/tokens/{case_no}.json", params=key)).json()
    assert token == [{"service_request_id": case_no, "token": case_no}]
    xml = ET.fromstring((await o311.call("GET", f"/tokens/{case_no}.xml", params=key)).text)
    assert xml.findtext("request/service_request_id") == case_no and xml.findtext("request/token") == case_no
    missing = await o311.call("GET", "/tokens/nope.json", params=key)
    assert (missing.status, missing.json()) == (404, [{"code": 404, "description": "token not found"}])
