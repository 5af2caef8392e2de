"""``GET /admin/v1/transfers`` and ``/admin/v1/upstream-requests``: filtered, paged, in the caller's area.

A transfer is seen from the street it left and the street it went to; an upstream request with its case.
Who may list at all is the role matrix (tests/bot/test_role_matrix.py walks it per role)."""

from __future__ import annotations

from typing import Any

import pytest

from intake.sla.calendar import SHANGHAI
from notify.open311 import Created
from outbox import upstream
from tests.bot.conftest import OTHER_STREET, WORKER_STREET, Api, Staff, _staff, walk

TRANSFERS, UPSTREAM = "/admin/v1/transfers", "/admin/v1/upstream-requests"


async def _far(api: Api) -> Staff:
    """A dispatcher of a street that is neither the worker's nor the other one."""
    if "far" not in api.memo:
        third = next(c.code[:9] for c in api.svc.ctx.grid.index.leaves
                     if c.code[:9] not in (WORKER_STREET, OTHER_STREET))
        api.memo["far"] = await _staff("API 远处调度员", "dispatcher", (third,))
    api.staff["far"] = api.memo["far"]
    return api.memo["far"]  # type: ignore[no-any-return]


async def _void_out(api: Api, case_no: str, district: str) -> None:
    body = {"action": "void", "note": "属邻街道管辖", "reason": "out_of_area", "district": district}
    reply = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk", json=body)
    assert reply.status == 200, reply.body


async def _list(api: Api, path: str, who: str, **params: str) -> list[dict[str, Any]]:
    reply = await api.call("GET", path, who, params=params)
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


async def test_transfers_are_listed_from_both_ends_and_filtered(api: Api, uid: str) -> None:
    await _far(api)
    moved = await walk(api, "registered", uid)
    outside = await walk(api, "registered", uid + "-b")
    await _void_out(api, moved, OTHER_STREET)  # a street served here: the case moves into its queue
    await _void_out(api, outside, "440303")  # another district: on record only
    [row] = await _list(api, TRANSFERS, "street", case_no=moved)  # the street it left
    assert (row["from_grid"][:9], row["to"], row["moved"], row["by"]) == (WORKER_STREET, OTHER_STREET, True,
                                                                         "API 调度员")
    other = await _staff("API 葵涌调度员", "dispatcher", (OTHER_STREET,))
    api.staff["kui"] = other
    assert [r["case_no"] for r in await _list(api, TRANSFERS, "kui", case_no=moved)] == [moved]  # where it went
    assert await _list(api, TRANSFERS, "kui", case_no=outside) == []
    assert await _list(api, TRANSFERS, "far", case_no=moved) == []
    for who in ("admin", "sup", "desk"):  # no area: everything
        assert len(await _list(api, TRANSFERS, who, case_no=moved)) == 1
    assert [r["to"] for r in await _list(api, TRANSFERS, "street", case_no=outside, moved="false")] == ["440303"]
    assert await _list(api, TRANSFERS, "street", case_no=outside, moved="true") == []
    assert await _list(api, TRANSFERS, "admin", case_no=outside, into="440307") == []
    day = api.svc.clock().astimezone(SHANGHAI).strftime("%Y-%m-%d")
    assert len(await _list(api, TRANSFERS, "admin", case_no=moved, **{"from": day, "to": day})) == 1
    assert await _list(api, TRANSFERS, "admin", case_no=moved, **{"from": "2099-01-01"}) == []


async def test_transfers_page_newest_first(api: Api, uid: str) -> None:
    api.svc.clock.advance(days=2100)  # a day of our own: the other tests' transfers lie elsewhere
    cases = [await walk(api, "registered", f"{uid}-{i}") for i in range(3)]
    for case_no in cases:
        api.svc.clock.advance(seconds=1)
        await _void_out(api, case_no, "440303")
    day = api.svc.clock().astimezone(SHANGHAI).strftime("%Y-%m-%d")
    query = {"into": "440303", "per_page": "2", "from": day, "to": day}
    first = await api.call("GET", TRANSFERS, "admin", params=query)
    assert (first.body["total"], first.body["page"], first.body["per_page"]) == (3, 1, 2)
    assert [r["case_no"] for r in first.body["items"]] == cases[::-1][:2]
    second = await api.call("GET", TRANSFERS, "admin", params={**query, "page": "2"})
    assert [r["case_no"] for r in second.body["items"]] == cases[:1]


async def test_upstream_requests_are_listed_with_their_cases_scope(api: Api, uid: str) -> None:
    await _far(api)
    case_no = await walk(api, "registered", uid)
    code = f"s{uid}"
    now = api.svc.clock()
    await upstream.record_created(case_no, code, Created("SR-1" + uid, None), now)
    await upstream.record_created(f"GL-{uid}", code, Created(None, "t" + uid), now)  # a case not stored here
    [row] = await _list(api, UPSTREAM, "street", service_code=code)
    assert (row["case_no"], row["status"], row["service_request_id"]) == (case_no, "submitted", "SR-1" + uid)
    assert await _list(api, UPSTREAM, "far", service_code=code) == []
    assert {r["case_no"] for r in await _list(api, UPSTREAM, "admin", service_code=code)} == {case_no, f"GL-{uid}"}
    assert [r["case_no"] for r in await _list(api, UPSTREAM, "sup", service_code=code, case_no=case_no)] == [case_no]
    assert await _list(api, UPSTREAM, "admin", service_code=code, status="closed") == []


@pytest.mark.parametrize(("path", "params"), [
    (TRANSFERS, {"into": "44%"}), (TRANSFERS, {"moved": "maybe"}), (TRANSFERS, {"case_no": "x' or 1=1"}),
    (TRANSFERS, {"per_page": "1000"}), (TRANSFERS, {"from": "yesterday"}), (TRANSFERS, {"into": "1" * 21}),
    (UPSTREAM, {"status": "done"}), (UPSTREAM, {"service_code": "a b"}), (UPSTREAM, {"service_code": "x" * 65}),
    (UPSTREAM, {"page": "0"}), (UPSTREAM, {"owner": "me"}),
])
async def test_hostile_filters_are_refused_clearly(api: Api, path: str, params: dict[str, str]) -> None:
    reply = await api.call("GET", path, "admin", params=params)
    assert (reply.status, reply.error) == (400, "invalid"), reply.body
