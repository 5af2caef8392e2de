"""The worker's case page for the workflow's tasks: 核实, 核查 (never offered to, and refused for, the
worker who handled the case), 申请协办, answering a 协办 sub-task and 申请作废 — each a button only when
the server allows it, each posted as the domain's step."""

from __future__ import annotations

from typing import Any

import aiohttp

from intake.store.models import Case, CaseEvent, Media
from tests.bot.conftest import open_case, walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.photo_files import phone_photo
from tests.bot.worker.test_pages import signed_in, status_of


async def page_of(phone: aiohttp.ClientSession, case_no: str) -> str:
    async with phone.get(f"/worker/cases/{case_no}") as resp:
        assert resp.status == 200
        return await resp.text()


async def post(phone: aiohttp.ClientSession, case_no: str, csrf: str, **data: Any) -> str:
    async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, **data}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.text()


def here(site: Site) -> dict[str, str]:
    lat, lng = site.api.point(site.api.leaves[0])
    return {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}"}


async def test_the_handler_gets_no_check_button_and_another_worker_checks(site: Site, uid: str) -> None:
    api = site.api
    case_no = await walk(api, "handled", f"tc-{uid}")  # handled by w1
    reply = await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                           json={"action": "check", "user_id": api.staff["w2"].user_id})
    assert reply.status == 200, reply.body
    handler, csrf1 = await signed_in(site, "w1", case_no)
    async with handler:
        assert 'id="act-checked"' not in await page_of(handler, case_no)
        page = await post(handler, case_no, csrf1, action="checked", result="pass", photos="staff:x", **here(site))
        assert "flash error" in page and await status_of(case_no) == "checking"  # refused by the domain too
    checker, csrf2 = await signed_in(site, "w2", case_no)
    async with checker:
        page = await page_of(checker, case_no)
        assert 'id="act-checked"' in page and 'name="result"' in page and 'class="secondary locate"' in page
        bad = await post(checker, case_no, csrf2, action="checked", result="pass", photos="../../etc/passwd",
                         **here(site))
        assert "flash error" in bad and await status_of(case_no) == "checking"
        done = await post(checker, case_no, csrf2, action="checked", result="pass", photos="staff:a staff:b",
                          **here(site))
        assert "flash ok" in done and await status_of(case_no) == "closed"
    last = await CaseEvent.filter(case_no=case_no).order_by("-seq").first()
    assert last is not None and last.attachments == ["staff:a", "staff:b"] and last.data["result"] == "pass"


async def test_verification_from_the_page(site: Site, uid: str) -> None:
    api = site.api
    case_no = await open_case(api, f"tv-{uid}")
    assert (await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                           json={"action": "verify", "user_id": api.staff["w1"].user_id})).status == 200
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        assert 'id="act-verified"' in await page_of(phone, case_no)
        missing = await post(phone, case_no, csrf, action="verified", result="confirmed")  # no photo, no place
        assert "flash error" in missing
        done = await post(phone, case_no, csrf, action="verified", result="confirmed", photos="staff:v1",
                          note="现场确认", **here(site))
        assert "flash ok" in done and 'id="act-verified"' not in done
    case = await Case.get(case_no=case_no)
    assert (case.status, case.task_kind) == ("verifying", None)


async def test_assist_request_answer_and_void_request(site: Site, uid: str) -> None:
    api = site.api
    case_no = await walk(api, "handling", f"ta-{uid}")
    lead, csrf1 = await signed_in(site, "w1", case_no)
    helper, csrf2 = await signed_in(site, "w2", case_no)
    async with lead, helper:
        page = await page_of(lead, case_no)
        assert 'id="act-request_assist"' in page and 'id="act-request_void"' in page
        assert 'id="act-answer_assist"' not in page
        assert "flash ok" in await post(lead, case_no, csrf1, action="request_assist", note="需要另一名网格员协助")
        assert (await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                               json={"action": "assist", "user_id": api.staff["w2"].user_id})).status == 200
        assert 'id="act-handle"' not in await page_of(lead, case_no)  # a sub-task is pending
        page = await page_of(helper, case_no)
        assert 'id="act-answer_assist"' in page and 'id="act-handle"' not in page  # the lead's step, not theirs
        done = await post(helper, case_no, csrf2, action="answer_assist", note="已到场协助", photos="staff:h1")
        assert "flash ok" in done
        page = await page_of(lead, case_no)
        assert 'id="act-handle"' in page  # every sub-task answered: the lead may complete
        assert "flash ok" in await post(lead, case_no, csrf1, action="request_void", reason="false_report",
                                        note="现场无此问题")
        async with lead.post(f"/worker/cases/{case_no}", data={"csrf": csrf1, "action": "void",
                                                                "reason": "false_report", "note": "x"}) as resp:
            assert resp.status == 400  # the page offers no such step
    asked = await CaseEvent.filter(case_no=case_no, action="request_void").first()
    assert asked is not None and asked.data["reason"] == "false_report"
    assert await status_of(case_no) == "handling"


async def test_a_verification_photo_is_uploaded_with_the_form(site: Site, uid: str) -> None:
    api = site.api
    case_no = await open_case(api, f"tp-{uid}")
    assert (await api.call("POST", f"/admin/v1/cases/{case_no}/actions", "desk",
                           json={"action": "verify", "user_id": api.staff["w1"].user_id})).status == 200
    phone, csrf = await signed_in(site, "w1", case_no)
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)  # first: the middleware reads it before any photo
    form.add_field("action", "verified")
    form.add_field("result", "confirmed")
    form.add_field("photo", phone_photo(), filename="IMG_1.jpg", content_type="image/jpeg")
    for name, value in here(site).items():
        form.add_field(name, value)
    async with phone:
        async with phone.post(f"/worker/cases/{case_no}", data=form) as resp:
            page = await resp.text()
        assert "flash ok" in page, page[page.find("flash"):page.find("flash") + 300]
    row = await Media.get(case_no=case_no, source="staff")
    event = await CaseEvent.get(case_no=case_no, action="verified")
    assert event.attachments == [row.media_id] and event.data["photos"][0]["media_id"] == row.media_id
    assert event.data["result"] == "confirmed" and event.data["position"]["flagged"] is False
