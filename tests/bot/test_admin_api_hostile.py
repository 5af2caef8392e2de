"""Hostile and malformed input to the admin API: always a JSON error, never a 500, nothing stored."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.bot.conftest import Api, Reply, case_in, count_by, open_case, snapshot

REPORTS = "/admin/v1/reports"
CASES = "/admin/v1/cases"
JSON = {"Content-Type": "application/json"}


def error_shape(reply: Reply, status: int, code: str) -> None:
    assert reply.status == status, reply.body
    assert isinstance(reply.body, dict) and reply.body["error"] == code, reply.body
    assert isinstance(reply.body["message"], str) and reply.body["message"]
    assert set(reply.body) <= {"error", "message", "details"}


def good_report(api: Api, reporter: str) -> dict[str, Any]:
    lat, lng = api.point(api.leaves[0])
    return {"channel": "test", "reporter": reporter, "description": "路灯不亮了", "lat": lat, "lng": lng}


async def send_raw(api: Api, raw: bytes, headers: dict[str, str] | None = None) -> Reply:
    return await api.call("POST", REPORTS, "desk", data=raw, headers=headers or JSON)


# -- bodies that are not a JSON object -----------------------------------------------------------

NOT_JSON: dict[str, tuple[bytes, str]] = {
    "truncated-json": (b'{"channel": "test", "reporter": "%s", ', "invalid_json"),
    "single-quotes": (b"{'channel': 'test', 'reporter': '%s'}", "invalid_json"),
    "json-array": (b'[{"channel": "test", "reporter": "%s"}]', "invalid"),
    "json-string": (b'"%s"', "invalid"),
    "json-null": (b"null", "invalid"),
    "json-trailing-garbage": (b'{"reporter": "%s"} {}', "invalid_json"),
    "invalid-utf8": (b'{"channel": "test", "reporter": "%s", "description": "\xff\xfe\xc3"}', "invalid_json"),
    "deeply-nested": (b'{"reporter": "%s", "photos": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_json"),
    "empty-body": (b"", "invalid"),
}


@pytest.mark.parametrize("kind", list(NOT_JSON))
async def test_body_that_is_not_a_json_object_is_400(api: Api, uid: str, kind: str) -> None:
    raw, code = NOT_JSON[kind]
    reply = await send_raw(api, raw.replace(b"%s", uid.encode()))
    error_shape(reply, 400, code)
    assert await count_by(api, uid) == 0


@pytest.mark.parametrize("charset", ["x-no-such-charset", "latin-1", "utf-16"])
async def test_declared_charset_is_ignored_and_json_read_as_utf8(api: Api, uid: str, charset: str) -> None:
    raw = json.dumps(good_report(api, uid), ensure_ascii=False).encode()
    reply = await send_raw(api, raw, {"Content-Type": f"application/json; charset={charset}"})
    assert reply.status == 201, reply.body
    case = await api.call("GET", f"{CASES}/{reply.body['case_no']}")
    assert case.body["description"] == "路灯不亮了"


async def test_body_over_256_kb_is_413(api: Api, uid: str) -> None:
    body = good_report(api, uid) | {"description": "长" * 100_000}  # 300 KB as UTF-8
    reply = await send_raw(api, json.dumps(body, ensure_ascii=False).encode())
    error_shape(reply, 413, "too_large")
    assert await count_by(api, uid) == 0


# -- well-formed JSON that the schema refuses ------------------------------------------------------

BAD_REPORTS: dict[str, dict[str, Any]] = {
    "unknown-field": {"priority": "urgent"},
    "unknown-field-is_admin": {"is_admin": True},
    "description-empty": {"description": ""},
    "description-blank": {"description": "   \n\t "},
    "description-2001-chars": {"description": "灯" * 2001},
    "description-not-a-string": {"description": ["路灯"]},
    "lat-without-lng": {"lng": None},
    "lng-without-lat": {"lat": None},
    "lat-91": {"lat": 91.0},
    "lng-181": {"lng": 181.0},
    "lat-as-text": {"lat": "north"},
    "datum-bd09": {"datum": "bd09"},
    "ten-photos": {"photos": [f"media/{i}.jpg" for i in range(10)]},
    "empty-photo-ref": {"photos": [""]},
    "unknown-category": {"category": "99999"},
    "major-as-category": {"category": "01"},
    "category-sql": {"category": "' OR 1=1"},
    "channel-with-space": {"channel": "we chat"},
    "channel-missing": {"channel": None},
    "reporter-129-chars": {"reporter": "r" * 129},
    "nul-in-description": {"description": "路灯\u0000不亮"},
    "nul-in-address": {"address": "较场尾\u0000", "lat": None, "lng": None},
}


@pytest.mark.parametrize("kind", list(BAD_REPORTS))
async def test_report_the_schema_refuses_is_400_and_stores_nothing(api: Api, uid: str, kind: str) -> None:
    body = {k: v for k, v in (good_report(api, uid) | BAD_REPORTS[kind]).items() if v is not None}
    reply = await api.call("POST", REPORTS, "desk", json=body)
    error_shape(reply, 400, "invalid")
    assert await count_by(api, uid) == 0


async def test_report_at_the_limits_is_accepted(api: Api, uid: str) -> None:
    body = good_report(api, uid) | {"description": "灯" * 2000, "photos": [f"m/{i}" for i in range(9)]}
    reply = await api.call("POST", REPORTS, "desk", json=body)
    assert reply.status == 201, reply.body
    assert await count_by(api, uid) == 1


@pytest.mark.parametrize("lat", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_coordinates_are_400(api: Api, uid: str, lat: bytes) -> None:
    raw = b'{"channel": "test", "reporter": "%s", "description": "d", "lat": %s, "lng": 114.5}'
    error_shape(await send_raw(api, raw.replace(b"%s", uid.encode(), 1).replace(b"%s", lat)), 400, "invalid")
    assert await count_by(api, uid) == 0


# -- actions ---------------------------------------------------------------------------------------

BAD_ACTIONS: dict[str, tuple[dict[str, Any], int, str]] = {
    "unknown-action": ({"action": "fly"}, 400, "invalid"),
    "open-is-not-an-action": ({"action": "open"}, 400, "invalid"),
    "empty-action": ({"action": ""}, 400, "invalid"),
    "note-2001-chars": ({"action": "comment", "note": "注" * 2001}, 400, "invalid"),
    "unknown-field": ({"action": "comment", "note": "x", "status": "closed"}, 400, "invalid"),
    "ten-attachments": ({"action": "comment", "attachments": [f"a{i}" for i in range(10)]}, 400, "invalid"),
    "reject-without-note": ({"action": "reject"}, 400, "invalid"),
    "reject-blank-note": ({"action": "reject", "note": "   "}, 400, "invalid"),
    "reclassify-unknown": ({"action": "reclassify", "category": "99999"}, 400, "invalid"),
    "reclassify-major": ({"action": "reclassify", "category": "01"}, 400, "invalid"),
    "merge-without-target": ({"action": "merge"}, 400, "invalid"),
    "merge-into-garbage": ({"action": "merge", "into": "'; DROP TABLE cases; --"}, 404, "not_found"),
    "second-without-reporter": ({"action": "second", "channel": "test"}, 400, "invalid"),
    "nul-in-note": ({"action": "comment", "note": "备注\u0000"}, 400, "invalid"),
}


@pytest.mark.parametrize("kind", list(BAD_ACTIONS))
async def test_bad_action_request_is_refused_and_changes_nothing(api: Api, kind: str) -> None:
    body, status, code = BAD_ACTIONS[kind]
    case_no = await case_in(api, "reported")
    before = await snapshot(api, case_no)
    error_shape(await api.call("POST", f"{CASES}/{case_no}/actions", "desk", json=body), status, code)
    assert await snapshot(api, case_no) == before


BAD_DISPATCH: dict[str, dict[str, Any]] = {
    "nobody": {},
    "user-id-unknown": {"user_id": 10**8},
    "user-id-beyond-int64": {"user_id": 10**30},
    "user-id-negative": {"user_id": -1},
    "user-id-as-text": {"user_id": "one"},
    "department-unknown": {"department": "no-such-department"},
    "department-sql": {"department": "x' OR '1'='1"},
    "department-nul": {"department": "x\u0000"},
}


@pytest.mark.parametrize("kind", list(BAD_DISPATCH))
async def test_bad_dispatch_target_is_400_and_changes_nothing(api: Api, kind: str) -> None:
    case_no = await case_in(api, "registered")
    before = await snapshot(api, case_no)
    body = {"action": "dispatch", **BAD_DISPATCH[kind]}
    error_shape(await api.call("POST", f"{CASES}/{case_no}/actions", "desk", json=body), 400, "invalid")
    assert await snapshot(api, case_no) == before


@pytest.mark.parametrize("hours", [0, -1, 721, "soon", 1e309])
async def test_bad_extension_hours_are_400(api: Api, hours: object) -> None:
    case_no = await case_in(api, "dispatched")
    before = await snapshot(api, case_no)
    body = {"action": "request_extension", "note": "需要更多时间", "hours": hours}
    error_shape(await api.call("POST", f"{CASES}/{case_no}/actions", "w1", json=body), 400, "invalid")
    assert await snapshot(api, case_no) == before


def wrong_check_digit(case_no: str) -> str:
    return case_no[:-1] + str((int(case_no[-1]) + 1) % 10)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_case_number_with_a_wrong_check_digit_is_404(api: Api, method: str) -> None:
    case_no = await case_in(api, "reported")
    before = await snapshot(api, case_no)
    path = f"{CASES}/{wrong_check_digit(case_no)}" + ("/actions" if method == "POST" else "")
    reply = await api.call(method, path, "admin", json={"action": "verify"} if method == "POST" else None)
    error_shape(reply, 404, "not_found")
    assert await snapshot(api, case_no) == before


@pytest.mark.parametrize("case_no", ["abc", "440307-20261118-00001", "0" * 500, "440307-20261118-99999-0",
                                     "%27%20OR%201%3D1", "%00"])
async def test_malformed_or_unknown_case_numbers_are_404(api: Api, case_no: str) -> None:
    error_shape(await api.call("GET", f"{CASES}/{case_no}"), 404, "not_found")


async def test_case_numbers_are_accepted_without_dashes(api: Api) -> None:
    case_no = await case_in(api, "reported")
    reply = await api.call("GET", f"{CASES}/{case_no.replace('-', '')}")
    assert reply.status == 200 and reply.body["case_no"] == case_no


# -- query parameters ------------------------------------------------------------------------------

HOSTILE_QUERIES: dict[str, dict[str, str]] = {
    "text-sql": {"text": "' OR '1'='1"},
    "text-like-wildcards": {"text": "%_%"},
    "text-800-cjk-chars": {"text": "路" * 800},
    "text-nul": {"text": "路\x00灯"},
    "status-sql": {"status": "reported'; DROP TABLE cases; --"},
    "status-many": {"status": ",".join(["reported"] * 500)},
    "grid-sql": {"grid": "4403' OR '1'='1"},
    "grid-percent": {"grid": "%"},
    "grid-nul": {"grid": "\x00"},
    "category-sql": {"category": "01' OR '1'='1"},
    "category-two-char-wildcard": {"category": "%%"},
    "category-nul": {"category": "0\x00"},
    "reporter-sql": {"reporter": "x' OR reporter LIKE '%"},
    "reporter-nul": {"reporter": "\x00"},
    "grid-too-long": {"grid": "4" * 200},
    "category-too-long": {"category": "0" * 200},
    "reporter-too-long": {"reporter": "r" * 2000},
    "text-too-long": {"text": "t" * 5000},
    "status-too-long": {"status": "s" * 5000},
    "assignee-huge": {"assignee": "9" * 40},
    "assignee-superscript-digit": {"assignee": "²"},
    "assignee-text": {"assignee": "me"},
    "lang-junk": {"lang": "xx-YY,;q=,,"},
    "page-beyond-int64": {"page": "9" * 30},
    "page-huge": {"page": "99999999999999999"},
}


@pytest.mark.parametrize("kind", list(HOSTILE_QUERIES))
async def test_hostile_query_is_400_or_finds_nothing_of_others(api: Api, uid: str, kind: str) -> None:
    await case_in(api, "reported")  # something that must not leak into a result it does not match
    reply = await api.call("GET", CASES, "admin", params={"reporter": "nobody-" + uid, **HOSTILE_QUERIES[kind]})
    assert reply.status in (200, 400), reply.body
    if reply.status == 400:
        error_shape(reply, 400, "invalid")
    else:
        assert reply.body["total"] == 0 and reply.body["items"] == []


async def test_reporter_sql_does_not_widen_the_match(api: Api, uid: str) -> None:
    await open_case(api, uid)
    for reporter in (f"{uid}' OR '1'='1", f"{uid}%", f"{uid}_", f"{uid[:-1]}_"):
        reply = await api.call("GET", CASES, params={"reporter": reporter})
        assert reply.status == 200 and reply.body["total"] == 0, reporter


async def test_query_string_longer_than_the_server_reads_is_refused(api: Api) -> None:
    reply = await api.call("GET", CASES, params={"text": "x" * 20_000})
    assert 400 <= reply.status < 500


@pytest.mark.parametrize("params", [{"per_page": "0"}, {"per_page": "101"}, {"per_page": "x"},
                                    {"per_page": "-5"}, {"page": "0"}, {"page": "-1"}, {"page": "1.5"},
                                    {"overdue": "maybe"}], ids=lambda p: "&".join(f"{k}={v[:8]}" for k, v in p.items()))
async def test_bad_paging_or_flags_are_400(api: Api, params: dict[str, str]) -> None:
    error_shape(await api.call("GET", CASES, params=params), 400, "invalid")


@pytest.mark.parametrize("params", [{}, {"lat": "22.5"}, {"lat": "x", "lng": "114.5"},
                                    {"lat": "91", "lng": "114.5"}, {"lat": "nan", "lng": "114.5"},
                                    {"lat": "inf", "lng": "114.5"}, {"lat": "22.5", "lng": "114.5", "datum": "bd09"}],
                         ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "nothing")
async def test_locate_with_bad_coordinates_is_400(api: Api, params: dict[str, str]) -> None:
    error_shape(await api.call("GET", "/admin/v1/grid/locate", params=params), 400, "invalid")


async def test_locate_far_from_every_cell_is_404(api: Api) -> None:
    error_shape(await api.call("GET", "/admin/v1/grid/locate", params={"lat": "0", "lng": "0"}), 404, "not_found")


# -- transport-level oddities ----------------------------------------------------------------------

async def raw_request(api: Api, head: bytes) -> tuple[int, bytes]:
    """Send bytes the client library would refuse to send; the status line and the body back."""
    host, port = api.client.server.host, api.client.server.port
    assert port is not None
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


async def test_non_utf8_authorization_header_is_401(api: Api) -> None:
    head = b"GET /admin/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\xc3\r\nConnection: close\r\n\r\n"
    status, body = await raw_request(api, head)
    assert status == 401, body
    assert json.loads(body)["error"] == "unauthorized"


async def test_unknown_route_and_method_get_json_errors(api: Api) -> None:
    error_shape(await api.call("GET", "/admin/v1/nothing-here"), 404, "not_found")
    error_shape(await api.call("DELETE", CASES), 405, "method_not_allowed")
    error_shape(await api.call("PUT", REPORTS, json={}), 405, "method_not_allowed")
