"""The desk's new queues, filters and bulk steps, and the case page's steps, over HTTP (#14).

Who may do what is intake's; these tests hold the pages to it: a missing session, a wrong role and a
missing CSRF token are refused, another street's case is "not found", domain errors come back in words.
"""

from __future__ import annotations

import re

import aiohttp
import pytest

from intake import passwords
from intake.store.models import Case
from intake.store.models_console import StaffAudit
from intake.store.models_nlp import Label
from intake.store.models_outbox import OutboxMessage
from tests.bot.conftest import WORKER_STREET, Api, _staff, act, open_case, walk
from tests.bot.console.conftest import CSRF, PASSWORD, browser, sign_in

ZH = {"Accept-Language": "zh-CN"}


async def _desk(b: aiohttp.ClientSession, query: str = "") -> str:
    async with b.get(f"/console/?{query}", headers=ZH) as resp:
        assert resp.status == 200
        return await resp.text()


async def _csrf(b: aiohttp.ClientSession, path: str = "/console/") -> str:
    async with b.get(path) as resp:
        found = CSRF.search(await resp.text())
    assert found
    return found.group(1)


async def _step(b: aiohttp.ClientSession, case_no: str, **data: str) -> str:
    data["csrf"] = await _csrf(b, f"/console/cases/{case_no}")
    async with b.post(f"/console/cases/{case_no}", data=data, headers=ZH) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.text()


@pytest.mark.parametrize(("method", "path"), [("POST", "/console/bulk"), ("GET", "/console/staff"),
                                              ("POST", "/console/staff/1/password")])
async def test_new_routes_refuse_a_missing_session_and_a_missing_csrf(console: Api, method: str, path: str) -> None:
    async with browser(console) as b:
        async with b.request(method, path, data={"csrf": "x"}, allow_redirects=False) as resp:
            assert resp.status in ((303,) if method == "GET" else (401,))
        await sign_in(b, console.staff["admin"].user_id)
        if method == "POST":
            async with b.post(path, data={"action": "register", "case_no": "1"}) as resp:
                assert resp.status == 403


async def test_staff_pages_are_for_admins_only(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get("/console/staff") as resp:
            assert resp.status == 403
        csrf = await _csrf(b)
        target = console.staff["street"].user_id
        data = {"csrf": csrf, "password": "another-pass-987", "again": "another-pass-987"}
        async with b.post(f"/console/staff/{target}/password", data=data) as resp:
            assert resp.status == 403
    async with browser(console) as b:  # the street dispatcher's password is still the old one
        assert (await sign_in(b, target)).status == 303


async def test_an_admin_resets_a_password_the_old_sessions_end_and_the_audit_has_it(console: Api, uid: str) -> None:
    staff = await _staff(f"忘记密码{uid}", "dispatcher")
    uid_int = staff.user_id or 0
    await passwords.set_password(uid_int, PASSWORD, console.svc.clock())
    async with browser(console) as member, browser(console) as admin, browser(console) as guesser:
        assert (await sign_in(member, uid_int)).status == 303
        assert (await sign_in(guesser, uid_int, "wrong-guess-12")).status == 401
        await sign_in(admin, console.staff["admin"].user_id)
        csrf = await _csrf(admin, "/console/staff")
        weak = {"csrf": csrf, "password": "short", "again": "short"}
        async with admin.post(f"/console/staff/{uid_int}/password", data=weak) as resp:
            assert "flash error" in await resp.text()
        differ = {"csrf": csrf, "password": "new-password-0001", "again": "new-password-0002"}
        async with admin.post(f"/console/staff/{uid_int}/password", data=differ) as resp:
            assert "flash error" in await resp.text()
        async with admin.post("/console/staff/999999999/password",
                              data={**differ, "again": differ["password"]}) as resp:
            assert resp.status == 404
        good = {"csrf": csrf, "password": "new-password-0001", "again": "new-password-0001"}
        async with admin.post(f"/console/staff/{uid_int}/password", data=good) as resp:
            page = await resp.text()
        assert "flash ok" in page and f'data-user="{uid_int}"' in page
        async with member.get("/console/", allow_redirects=False) as resp:
            assert resp.status == 303  # signed out everywhere
    async with browser(console) as b:
        assert (await sign_in(b, uid_int)).status == 401
        assert (await sign_in(b, uid_int, "new-password-0001")).status == 303
    events = [a.event for a in await StaffAudit.filter(user_id=uid_int).order_by("id")]
    assert events[:4] == ["sign_in", "sign_in_failed", "password_set", "sign_in_failed"] and events[-1] == "sign_in"
    assert all(PASSWORD not in (a.detail + a.account) for a in await StaffAudit.all())


async def test_failed_sign_ins_of_unknown_accounts_are_audited(console: Api, uid: str) -> None:
    async with browser(console) as b:
        assert (await sign_in(b, 987654321, "no-such-pass-1")).status == 401
    assert await StaffAudit.filter(event="sign_in_failed", account="987654321").exists()


async def test_a_street_dispatcher_cannot_act_on_another_streets_case(console: Api, uid: str) -> None:
    other = await open_case(console, f"desk-other-{uid}", leaf=console.other_leaf)
    mine = await open_case(console, f"desk-mine-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["street"].user_id)
        csrf = await _csrf(b)
        async with b.post(f"/console/cases/{other}", data={"csrf": csrf, "action": "supervise", "note": "x"}) as resp:
            assert resp.status == 404 and other not in await resp.text()
        data = {"csrf": csrf, "action": "register", "case_no": [other, mine]}
        async with b.post("/console/bulk", data=aiohttp.FormData([(k, v) for k, vs in data.items()
                                                                  for v in (vs if isinstance(vs, list) else [vs])]),
                          headers=ZH) as resp:
            page = await resp.text()
        assert re.search(rf'data-case="{other}" class="error"', page) and f'data-case="{mine}" class="ok"' in page
    assert (await Case.get(case_no=other)).status == "reported"
    assert (await Case.get(case_no=mine)).status == "registered"


async def test_filters_by_area_channel_and_date(console: Api, uid: str) -> None:
    mine = await open_case(console, f"desk-f1-{uid}")
    other = await open_case(console, f"desk-f2-{uid}", leaf=console.other_leaf)
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        page = await _desk(b, f"queue=new&area={WORKER_STREET}")
        assert mine in page and other not in page
        page = await _desk(b, "queue=new&channel=test")
        assert mine in page and other in page
        assert mine not in await _desk(b, "queue=new&channel=wechat")
        day = f"{console.svc.clock():%Y-%m-%d}"
        assert mine in await _desk(b, f"queue=new&since={day}&until={day}")
        assert mine not in await _desk(b, "queue=new&since=2099-01-01")
        page = await _desk(b, "queue=new&area=x%27&channel=%3Cb%3E&since=junk&severity=blue")  # junk: ignored
        assert mine in page and "<b>" not in page
        async with b.get(f"/console/counts.json?area={WORKER_STREET}") as resp:
            counts = await resp.json()
        assert counts["new"] >= 1


async def test_dispatch_to_the_suggested_department_and_reclassify_feeds_the_labels(console: Api, uid: str) -> None:
    case_no = await open_case(console, f"desk-dept-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        page = await _step(b, case_no, action="register")
        suggested = re.search(r'<option value="([^"]+)" selected data-suggested>', page)
        assert suggested and "urban_management" in suggested.group(1)
        assert "紧急程度" in page and "blue" not in re.sub(r"<[^>]+>", "", page.split('id="severity"')[1][:80])
        page = await _step(b, case_no, action="reclassify", category="01038", note="是地灯")
        assert "flash ok" in page
        page = await _step(b, case_no, action="dispatch", department=suggested.group(1), user_id="")
        assert "flash ok" in page
    case = await Case.get(case_no=case_no)
    assert case.status == "dispatched" and case.assignee_department == suggested.group(1)
    assert case.category_code == "01038"
    assert await Label.filter(case_no=case_no, code="01038").exists()
    assert await OutboxMessage.filter(case_no=case_no).exists()
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get(f"/console/cases/{case_no}") as resp:
            assert "data-delivery=" in await resp.text()


async def test_supervise_urge_and_the_supervised_queue_and_words_for_domain_errors(console: Api, uid: str) -> None:
    case_no = await walk(console, "handling", f"desk-sup-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        page = await _step(b, case_no, action="supervise", note="")  # a 督办 needs a note: said in words
        assert "flash error" in page and "请检查" in page
        csrf = await _csrf(b)
        bad = {"csrf": csrf, "action": "supervise", "note": "x", "deadline": "not a date"}
        async with b.post(f"/console/cases/{case_no}", data=bad) as resp:
            assert resp.status == 400 and "deadline" in await resp.text()
        page = await _step(b, case_no, action="supervise", note="今天处理完")
        assert "flash ok" in page
        assert case_no in await _desk(b, "queue=supervised")
        assert "flash ok" in await _step(b, case_no, action="urge", note="快一点")
        page = await _step(b, case_no, action="approve_extension")  # nothing pending: refused in words
        assert "flash error" in page and "Traceback" not in page


async def test_void_request_refused_and_extension_approved_from_the_page(console: Api, uid: str) -> None:
    case_no = await walk(console, "handling", f"desk-void-{uid}")
    assert (await act(console, case_no, "request_void", "w1")).status == 200
    assert (await act(console, case_no, "request_extension", "w1")).status == 200
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        assert case_no in await _desk(b, "queue=void")
        async with b.get(f"/console/cases/{case_no}") as resp:
            page = await resp.text()
        assert 'data-action="deny_void"' in page and 'data-action="approve_extension"' in page
        assert "flash ok" in await _step(b, case_no, action="deny_void", note="可以处理")
        assert case_no not in await _desk(b, "queue=void")
        assert "flash ok" in await _step(b, case_no, action="approve_extension")
        assert case_no not in await _desk(b, "queue=extension")
        page = await _step(b, case_no, action="recall", to="registered", note="重新派遣")
        assert "flash ok" in page
    assert (await Case.get(case_no=case_no)).status == "registered"


async def test_duplicates_side_by_side_merge_in_one_click_and_the_reporters_other_cases(
        console: Api, uid: str) -> None:
    first = await open_case(console, f"desk-dup-{uid}", description=f"路灯不亮了晚上很黑 {uid}")
    second = await open_case(console, f"desk-dup-{uid}", description=f"路灯不亮了晚上很黑 {uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get(f"/console/cases/{second}") as resp:
            page = await resp.text()
        assert f'data-duplicate="{first}"' in page and f'href="/console/cases/{first}"' in page
        page = await _step(b, second, action="merge", into=first)
        assert "flash ok" in page
    assert (await Case.get(case_no=second)).status == "merged"


async def test_bulk_register_dispatch_and_refusals(console: Api, uid: str) -> None:
    cases = [await open_case(console, f"desk-bulk{i}-{uid}") for i in range(2)]
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        csrf = await _csrf(b)
        form = aiohttp.FormData([("csrf", csrf), ("action", "register"), *(("case_no", c) for c in cases),
                                 ("case_no", "not-a-case")])
        async with b.post("/console/bulk", data=form) as resp:
            page = await resp.text()
        assert all(f'data-case="{c}" class="ok"' in page for c in cases) and 'class="error"' in page
        worker = str(console.staff["w1"].user_id)
        form = aiohttp.FormData([("csrf", csrf), ("action", "dispatch"), ("user_id", worker),
                                 *(("case_no", c) for c in cases)])
        async with b.post("/console/bulk", data=form) as resp:
            assert 'class="error"' not in await resp.text()
        for bad in ({"action": "close", "case_no": cases[0]}, {"action": "register"},
                    {"action": "register", "case_no": [str(n) for n in range(101)]}):
            pairs = [("csrf", csrf)] + [(k, x) for k, v in bad.items() for x in (v if isinstance(v, list) else [v])]
            async with b.post("/console/bulk", data=aiohttp.FormData(pairs)) as resp:
                assert resp.status == 400
    assert {(await Case.get(case_no=c)).status for c in cases} == {"dispatched"}


@pytest.mark.parametrize("fields", [
    {"action": "dispatch", "user_id": "abc", "department": "<script>"},
    {"action": "dispatch", "user_id": "9" * 40},
    {"action": "reclassify", "category": "01037'; DROP TABLE cases;--"},
    {"action": "merge", "into": "x" * 5000},
    {"action": "void", "reason": "\x00", "into": "", "note": "n" * 5000},
    {"action": "recall", "to": "closed", "note": "回去"},
    {"action": "supervise", "note": "x", "deadline": "2026-02-30T25:00"},
    {"action": "comment", "note": "   "},
])
async def test_hostile_case_forms_are_refused_in_words_and_change_nothing(console: Api, uid: str,
                                                                         fields: dict[str, str]) -> None:
    case_no = await walk(console, "handling", f"desk-hostile-{uid}")
    before = await Case.get(case_no=case_no)
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        data = {"csrf": await _csrf(b, f"/console/cases/{case_no}"), **fields}
        async with b.post(f"/console/cases/{case_no}", data=data) as resp:
            page = await resp.text()
        assert resp.status in (200, 400) and ("flash error" in page or resp.status == 400)
        assert "Traceback" not in page and "<script>" not in page
    after = await Case.get(case_no=case_no)
    assert (after.status, after.last_seq, after.category_code) == (before.status, before.last_seq,
                                                                   before.category_code)



async def test_system_notes_severity_and_place_are_in_words(console: Api, uid: str) -> None:
    case_no = await open_case(console, f"desk-self-{uid}", description=f"路边暴露垃圾很多 {uid}", category="06010")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get(f"/console/cases/{case_no}", headers=ZH) as resp:
            page = await resp.text()
        assert "self-handle list" not in page and "自处置清单" in page  # the system's note, translated
        place = page.split('id="place">')[1].split("<")[0]
        assert "南澳" in place and "未知" not in place  # no address given: the cell's names
        severity = page.split('id="severity">')[1].split("<")[0]
        assert severity in ("紧急（红）", "较急（黄）", "一般（蓝）")
        page = await _step(b, case_no, action="deny_void", note="没有申请")  # nothing pending: words
        assert "flash error" in page
