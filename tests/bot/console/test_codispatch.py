"""派遣 with 协办 from the case page: the lead unit and assisting departments in one form, all or nothing;
the open sub-tasks shown on the page, added and waived from it (intake.cases.codispatch / assists)."""

from __future__ import annotations

import re

import aiohttp
import pytest

from intake.store.models import Case, CaseEvent
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import Api, walk
from tests.bot.console.conftest import CSRF, browser, sign_in

ZH = {"Accept-Language": "zh-CN"}
LEAD, WATER, HOUSING = "440307-urban_management", "440307-water", "440307-housing"


async def _page(b: aiohttp.ClientSession, case_no: str) -> str:
    async with b.get(f"/console/cases/{case_no}", headers=ZH) as resp:
        assert resp.status == 200
        return await resp.text()


async def _post(b: aiohttp.ClientSession, case_no: str, data: list[tuple[str, str]]) -> tuple[int, str]:
    found = CSRF.search(await _page(b, case_no))
    assert found
    async with b.post(f"/console/cases/{case_no}", data=[("csrf", found.group(1)), *data], headers=ZH) as resp:
        return resp.status, await resp.text()


async def _told(case_no: str) -> list[str]:
    rows = await OutboxMessage.filter(case_no=case_no, kind="case.assist_task").order_by("id")
    return [r.recipient_ref for r in rows]


async def test_dispatch_with_two_assisting_departments_then_waive_and_add_from_the_page(console: Api,
                                                                                         uid: str) -> None:
    case_no = await walk(console, "registered", f"co-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        page = await _page(b, case_no)
        assert 'name="assist_department" multiple' in page and f'value="{WATER}"' in page
        status, page = await _post(b, case_no, [("action", "dispatch"), ("department", LEAD), ("user_id", ""),
                                                ("assist_department", WATER), ("assist_department", HOUSING),
                                                ("assist_department", WATER), ("note", "请水务、住建协办")])
        assert status == 200 and "flash ok" in page, page
        case = await Case.get(case_no=case_no)
        assert (case.status, case.assignee_department) == ("dispatched", LEAD)
        assert [(a["ref"], a["status"]) for a in case.assists or []] == [(WATER, "pending"), (HOUSING, "pending")]
        assert await _told(case_no) == [WATER, HOUSING]  # each assisting unit hears of its sub-task
        actions = [e.action for e in await CaseEvent.filter(case_no=case_no).order_by("seq")]
        assert actions[-3:] == ["dispatch", "assist", "assist"]  # each its own event on the chain
        assert re.findall(r'data-assist-status="(\w+)"', page) == ["pending", "pending"]
        assert "大鹏新区水务局" in page and "协办" in page
        assert 'data-action="waive_assist"' in page and 'data-action="assist"' in page

        status, page = await _post(b, case_no, [("action", "waive_assist"), ("assist", "1"), ("note", "已无需")])
        assert status == 200 and "flash ok" in page
        status, page = await _post(b, case_no, [("action", "assist"), ("department", "440307-emergency")])
        assert status == 200 and "flash ok" in page
    case = await Case.get(case_no=case_no)
    assert [(a["ref"], a["status"]) for a in case.assists or []] == \
        [(WATER, "waived"), (HOUSING, "pending"), ("440307-emergency", "pending")]


@pytest.mark.parametrize("helpers", [[LEAD], [WATER, "440307-no-such-line"]])
async def test_a_helper_that_cannot_assist_leaves_the_case_undispatched(console: Api, uid: str,
                                                                         helpers: list[str]) -> None:
    case_no = await walk(console, "registered", f"co-bad-{uid}")
    seq = (await Case.get(case_no=case_no)).last_seq
    queued = await OutboxMessage.filter(case_no=case_no).count()
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        status, page = await _post(b, case_no, [("action", "dispatch"), ("department", LEAD),
                                                *(("assist_department", h) for h in helpers)])
        assert status == 200 and "flash error" in page, page
    case = await Case.get(case_no=case_no)
    assert (case.status, case.assignee_department, case.assists or [], case.last_seq) == ("registered", None, [], seq)
    assert await CaseEvent.filter(case_no=case_no, seq__gt=seq).count() == 0  # all or nothing
    assert await OutboxMessage.filter(case_no=case_no).count() == queued  # no one was told of a dispatch


@pytest.mark.parametrize("helpers", [[f"440307-x{i}" for i in range(11)], ["water;drop"], ["x" * 65]])
async def test_hostile_assist_lists_are_refused_in_words(console: Api, uid: str, helpers: list[str]) -> None:
    case_no = await walk(console, "registered", f"co-hostile-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        status, page = await _post(b, case_no, [("action", "dispatch"), ("department", LEAD),
                                                *(("assist_department", h) for h in helpers)])
        assert status == 400 and ("at most 10" in page or "malformed" in page), page
    assert (await Case.get(case_no=case_no)).status == "registered"


async def test_a_street_dispatcher_cannot_co_dispatch_another_streets_case(console: Api, uid: str) -> None:
    case_no = await walk(console, "registered", f"co-other-{uid}")
    await Case.filter(case_no=case_no).update(grid_code=console.other_leaf)
    async with browser(console) as b:
        await sign_in(b, console.staff["street"].user_id)
        async with b.post(f"/console/cases/{case_no}", data={"csrf": "x", "action": "dispatch"}) as resp:
            assert resp.status == 403  # CSRF first
        async with b.get("/console/") as resp:
            token = CSRF.search(await resp.text())
        assert token
        data = [("csrf", token.group(1)), ("action", "dispatch"), ("department", LEAD), ("assist_department", WATER)]
        async with b.post(f"/console/cases/{case_no}", data=data) as resp:
            assert resp.status == 404
    assert (await Case.get(case_no=case_no)).status == "registered"
