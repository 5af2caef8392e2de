"""The console over HTTP: sign-in, lockout, the session and CSRF, roles, scope, the desk and the case page."""

from __future__ import annotations

import logging

import pytest

from bot.console.auth import COOKIE
from intake import passwords
from intake.store.models import Case, User
from tests.bot.conftest import Api, _staff, act, open_case, walk
from tests.bot.console.conftest import CSRF, PASSWORD, browser, sign_in


async def test_no_session_goes_to_sign_in_and_posts_without_one_are_refused(console: Api) -> None:
    async with browser(console) as b:
        async with b.get("/console/?queue=new", allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == "/console/login?next=/console/?queue%3Dnew"
        async with b.post("/console/cases/x", data={"csrf": "x"}, allow_redirects=False) as resp:
            assert resp.status == 401
        async with b.get("/console/counts.json", allow_redirects=False) as resp:
            assert resp.status == 303


async def test_sign_in_logs_the_user_never_the_password_and_sign_out_ends_it(
        console: Api, caplog: pytest.LogCaptureFixture) -> None:
    uid = console.staff["desk"].user_id
    caplog.set_level(logging.INFO, "gridline.console")
    async with browser(console) as b:
        resp = await sign_in(b, uid)
        assert resp.status == 303 and resp.headers["Location"] == "/console/"
        cookie = resp.headers.getall("Set-Cookie")
        assert any(c.startswith(COOKIE) and "HttpOnly" in c and "SameSite=Strict" in c for c in cookie)
        async with b.get("/console/") as page:
            text = await page.text()
        assert page.status == 200 and "API 调度员" in text
        token = CSRF.search(text)
        assert token
        async with b.post("/console/logout", data={"csrf": token.group(1)}, allow_redirects=False) as out:
            assert out.status == 303
        async with b.get("/console/", allow_redirects=False) as page:
            assert page.status == 303
    signed = [r for r in caplog.records if r.getMessage() == "console sign-in"]
    assert signed and signed[-1].__dict__["user_id"] == uid
    assert PASSWORD not in caplog.text


async def test_five_failures_lock_the_account_from_that_address(console: Api, uid: str) -> None:
    staff = await _staff(f"锁定调度员{uid}", "dispatcher")
    await passwords.set_password(staff.user_id or 0, PASSWORD, console.svc.clock())
    async with browser(console) as b:
        for _ in range(5):
            assert (await sign_in(b, staff.user_id, "wrong-password-1")).status == 401
        locked = await sign_in(b, staff.user_id)  # the right password, too late
        assert locked.status == 429
        assert (await sign_in(b, staff.user_id, "")).status == 429


async def test_missing_or_wrong_csrf_is_refused(console: Api) -> None:
    async with browser(console) as b:
        async with b.post("/console/login", data={"account": "1", "password": PASSWORD}) as resp:
            assert resp.status == 403  # no pre-session token either
        await sign_in(b, console.staff["desk"].user_id)
        case_no = await open_case(console, "console-csrf")
        async with b.post(f"/console/cases/{case_no}", data={"action": "register"}) as resp:
            assert resp.status == 403
        async with b.post(f"/console/cases/{case_no}", data={"action": "register", "csrf": "forged"}) as resp:
            assert resp.status == 403
    assert (await Case.get(case_no=case_no)).status == "reported"


async def test_a_worker_is_sent_to_the_worker_pages(console: Api) -> None:
    async with browser(console) as b:
        resp = await sign_in(b, console.staff["w1"].user_id)
        assert resp.status == 303 and resp.headers["Location"] == "/worker/"
        async with b.get("/console/", allow_redirects=False) as page:
            assert page.status == 303 and page.headers["Location"].startswith("/console/login")


async def test_a_role_changed_to_worker_loses_the_console(console: Api, uid: str) -> None:
    staff = await _staff(f"转岗调度员{uid}", "dispatcher")
    await passwords.set_password(staff.user_id or 0, PASSWORD, console.svc.clock())
    async with browser(console) as b:
        assert (await sign_in(b, staff.user_id)).status == 303
        await User.filter(id=staff.user_id).update(role="worker")
        async with b.get("/console/", allow_redirects=False) as page:
            assert page.status == 303 and page.headers["Location"] == "/worker/"


async def test_a_street_dispatcher_gets_404_on_another_streets_case(console: Api, uid: str) -> None:
    other = await open_case(console, f"console-other-{uid}", leaf=console.other_leaf)
    mine = await open_case(console, f"console-mine-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["street"].user_id)
        async with b.get(f"/console/cases/{other}") as resp:
            assert resp.status == 404 and other not in await resp.text()
        async with b.get(f"/console/cases/{mine}") as resp:
            assert resp.status == 200
        async with b.get("/console/?queue=new") as resp:
            text = await resp.text()
        assert mine in text and other not in text


async def test_desk_queues_counts_and_the_case_actions(console: Api, uid: str) -> None:
    case_no = await open_case(console, f"console-desk-{uid}", description="井盖丢了，联系电话 13812345678")
    returned = await walk(console, "returned", f"console-ret-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get("/console/counts.json") as resp:
            counts = await resp.json()
        assert set(counts) == {"new", "triage", "dispatch", "returned", "overdue", "supervised", "checking",
                               "extension", "void", "assist"}
        assert counts["new"] >= 1 and counts["returned"] >= 1
        async with b.get("/console/?queue=returned") as resp:
            text = await resp.text()
        assert returned in text and case_no not in text
        async with b.get("/console/?queue=new&severity=nonsense&category=abc") as resp:
            assert resp.status == 200 and case_no in await resp.text()
        async with b.get(f"/console/cases/{case_no}") as resp:
            page = await resp.text()
        assert "138****5678" in page and "13812345678" not in page
        assert 'data-action="register"' in page and 'data-action="dispatch"' not in page
        token = CSRF.search(page)
        assert token
        csrf = token.group(1)
        async with b.post(f"/console/cases/{case_no}", data={"csrf": csrf, "action": "register"}) as resp:
            page = await resp.text()
        assert "flash ok" in page and 'data-action="dispatch"' in page and "API 网格员甲" in page
        # A step the page does not offer, and a dispatch without a worker: words, nothing changes.
        async with b.post(f"/console/cases/{case_no}", data={"csrf": csrf, "action": "close"}) as resp:
            assert resp.status == 400
        async with b.post(f"/console/cases/{case_no}", data={"csrf": csrf, "action": "dispatch"}) as resp:
            assert "flash error" in await resp.text()
        assert (await Case.get(case_no=case_no)).status == "registered"
        worker = str(console.staff["w1"].user_id)
        data = {"csrf": csrf, "action": "dispatch", "user_id": worker}
        async with b.post(f"/console/cases/{case_no}", data=data) as resp:
            assert "flash ok" in await resp.text()
    case = await Case.get(case_no=case_no)
    assert case.status == "dispatched" and case.assignee_user_id == console.staff["w1"].user_id


async def test_checking_extension_and_overdue_queues(console: Api, uid: str) -> None:
    asked = await walk(console, "handling", f"console-ext-{uid}")
    reply = await act(console, asked, "request_extension", "w1")
    assert reply.status == 200, reply.body
    checking = await walk(console, "checking", f"console-chk-{uid}")
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get("/console/?queue=extension", headers={"Accept-Language": "zh-CN"}) as resp:
            text = await resp.text()
        assert asked in text and checking not in text and "申请延期" in text
        async with b.get("/console/?queue=checking") as resp:
            text = await resp.text()
        assert checking in text and asked not in text
        async with b.get("/console/?queue=overdue") as resp:
            assert asked not in await resp.text()
        console.svc.clock.advance(hours=400)  # past every deadline
        async with b.get("/console/?queue=overdue") as resp:
            text = await resp.text()
        assert asked in text and 'class="light red"' in text


@pytest.mark.parametrize(("account", "password"), [
    ("", ""), ("abc", PASSWORD), ("999999", PASSWORD), ("1" * 500, PASSWORD), ("-1", PASSWORD),
    ("1", "x" * 10_000), ("1", "\x00" * 20)])
async def test_hostile_sign_in_forms_are_refused_in_words(console: Api, account: str, password: str) -> None:
    async with browser(console) as b:
        async with b.get("/console/login") as resp:
            token = CSRF.search(await resp.text())
        assert token
        data = {"csrf": token.group(1), "account": account, "password": password, "next": "//evil.example/"}
        async with b.post("/console/login", data=data, allow_redirects=False) as resp:
            assert resp.status == 401 and "flash error" in await resp.text()


async def test_sign_in_never_redirects_off_the_console(console: Api) -> None:
    async with browser(console) as b:
        async with b.get("/console/login") as resp:
            token = CSRF.search(await resp.text())
        assert token
        data = {"csrf": token.group(1), "account": str(console.staff["admin"].user_id), "password": PASSWORD,
                "next": "//evil.example/console/"}
        async with b.post("/console/login", data=data, allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == "/console/"
        async with b.get("/console/cases/not-a-number") as resp:
            assert resp.status == 404


@pytest.mark.parametrize("role", ["supervisor", "admin"])
async def test_supervisors_and_admins_sign_in(console: Api, uid: str, role: str) -> None:
    staff = await _staff(f"{role}-{uid}", role)
    await passwords.set_password(staff.user_id or 0, PASSWORD, console.svc.clock())
    async with browser(console) as b:
        assert (await sign_in(b, staff.user_id)).headers["Location"] == "/console/"
        async with b.get("/console/?queue=overdue") as resp:
            assert resp.status == 200
