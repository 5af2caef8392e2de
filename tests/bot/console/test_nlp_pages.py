"""The classifier pages (/console/nlp) over HTTP: roles, session and CSRF, triage, label import with its
preview, keyword rules, try it, models and their confirmations; domain errors shown in words."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.console.auth import BIG_BODIES
from intake import passwords
from intake.store.models import PersonalDataRead
from intake.store.models_nlp import KeywordRule, Label, TriageItem
from intake.tuning import labels
from tests.bot.conftest import Api, report
from tests.bot.console.conftest import CSRF, PASSWORD, browser, sign_in

N = "/console/nlp"
ADMIN_PAGES = [f"{N}/labels", f"{N}/models", f"{N}/models/1", f"{N}/rules", f"{N}/try", f"{N}/compare?a=1&b=2",
               f"{N}/confirm/activate?id=1", f"{N}/confirm/rollback", f"{N}/jobs/1.json", f"{N}/labels/export"]
ADMIN_POSTS = [f"{N}/labels/preview", f"{N}/labels/import", f"{N}/retrain", f"{N}/models/1/activate",
               f"{N}/models/1/shadow", f"{N}/rollback", f"{N}/shadow/clear", f"{N}/rules", f"{N}/rules/1", f"{N}/try"]
TRIAGE = [f"{N}/triage", f"{N}/triage/next"]


async def csrf_of(b: aiohttp.ClientSession, path: str = f"{N}/triage") -> str:
    async with b.get(path) as resp:
        found = CSRF.search(await resp.text())
    assert found
    return found.group(1)


async def test_admin_pages_refuse_a_dispatcher_who_may_triage(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        for path in TRIAGE:
            async with b.get(path) as resp:
                assert resp.status == 200, path
        for path in ADMIN_PAGES:
            async with b.get(path, allow_redirects=False) as resp:
                assert resp.status == 403, path
                assert "administrator" in await resp.text() or "管理员" in await resp.text()
        csrf = await csrf_of(b)
        for path in ADMIN_POSTS:
            async with b.post(path, data={"csrf": csrf, "category": "01037", "phrase": "x"},
                              allow_redirects=False) as resp:
                assert resp.status == 403, path
    assert not await KeywordRule.filter(phrase="x").exists()


async def test_a_supervisor_may_not_triage(console: Api) -> None:
    sup = console.staff["sup"].user_id
    assert sup is not None
    await passwords.set_password(sup, PASSWORD, console.svc.clock())
    async with browser(console) as b:
        await sign_in(b, sup)
        async with b.get(f"{N}/triage") as resp:
            assert resp.status == 403


@pytest.mark.parametrize("path", [*TRIAGE, *ADMIN_PAGES])
async def test_without_a_session_a_page_goes_to_sign_in(console: Api, path: str) -> None:
    async with browser(console) as b, b.get(path, allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"].startswith("/console/login")


@pytest.mark.parametrize("path", [*ADMIN_POSTS, f"{N}/triage/440307-20261118-00001"])
async def test_posts_need_a_session_and_the_csrf_token(console: Api, path: str) -> None:
    async with browser(console) as b:
        async with b.post(path, data={"csrf": "x"}, allow_redirects=False) as resp:
            assert resp.status == 401
        await sign_in(b, console.staff["admin"].user_id)
        for data in ({}, {"csrf": "forged"}):
            async with b.post(path, data=data, allow_redirects=False) as resp:
                assert resp.status == 403, (path, data)


async def test_triage_one_case_by_a_partial_update_and_twice_is_words(console: Api, uid: str) -> None:
    held = [await report(console, f"{uid}{k}", text, category=None)
            for k, text in enumerate(("我家楼上有人吵架 13812345678", "门口有人争吵"))]
    assert all(h.body["status"] == "reported" for h in held)
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)
        async with b.get(f"{N}/triage?order=oldest") as resp:
            page = await resp.text()
        case_no = re.search(r'data-case="([^"]+)"', page)
        assert case_no and 'data-key="1"' in page and 'data-key="3"' in page and "13812345678" not in page
        first = case_no.group(1)
        csrf = CSRF.search(page).group(1)  # type: ignore[union-attr]
        data = {"csrf": csrf, "category": "20001", "order": "oldest", "partial": "1"}
        async with b.post(f"{N}/triage/{first}", data=data) as resp:
            fragment = await resp.text()
        assert resp.status == 200 and fragment.lstrip().startswith("<section id=\"triage-case\"")
        assert "flash ok" in fragment and f'data-case="{first}"' not in fragment
        async with b.post(f"{N}/triage/{first}", data=data) as resp:
            again = await resp.text()
        assert "flash error" in again and "already triaged" in again
        async with b.post(f"{N}/triage/{held[1].body['case_no']}", data={**data, "category": "99999"}) as resp:
            assert "flash error" in await resp.text()
    desk = console.staff["desk"].user_id  # (other tests may have been shown the same oldest case)
    assert await PersonalDataRead.filter(case_no=first, purpose="console triage", user_id=desk).exists()  # PIPL
    item = await TriageItem.get(case_no=first)
    assert (item.status, item.decided_code) == ("decided", "20001")
    assert await Label.filter(case_no=first, source="triage").exists()


def sheet(uid: str, bad: bool) -> bytes:
    rows = ["text,label", f"{uid} 路灯坏了,01037", f"{uid} 垃圾没人收,{'99999' if bad else '06010'}",
            f"{uid} 井盖丢了,01023"]
    return ("\n".join(rows) + "\n").encode()


async def test_label_import_is_previewed_and_stored_only_when_clean(console: Api, uid: str) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await csrf_of(b, f"{N}/labels")
        for target in (f"{N}/labels/preview?partial=1", f"{N}/labels/import"):
            form = aiohttp.FormData({"csrf": csrf})
            form.add_field("file", sheet(uid, bad=True), filename="labels.csv", content_type="text/csv")
            async with b.post(target, data=form) as resp:
                text = await resp.text()
            assert "line 3" in text and "99999" in text, text
        assert not await Label.filter(text__startswith=uid).exists()  # nothing stored from a bad file
        form = aiohttp.FormData({"csrf": csrf})
        form.add_field("file", sheet(uid, bad=False), filename="labels.csv", content_type="text/csv")
        async with b.post(f"{N}/labels/preview?partial=1", data=form) as resp:
            assert 'data-ok="1"' in await resp.text()
        assert not await Label.filter(text__startswith=uid).exists()  # a preview stores nothing
        form = aiohttp.FormData({"csrf": csrf})
        form.add_field("file", sheet(uid, bad=False), filename="labels.csv", content_type="text/csv")
        async with b.post(f"{N}/labels/import", data=form) as resp:
            page = await resp.text()
        assert "flash ok" in page and 'data-code="06010"' in page
        assert await Label.filter(text__startswith=uid, source="import").count() == 3
        async with b.get(f"{N}/labels/export") as resp:
            assert resp.headers["Content-Type"].startswith("text/csv") and f"{uid} 井盖丢了" in await resp.text()
        for raw in (b"\xff\xfe\x00", b"a,b\n1,2\n", b""):
            form = aiohttp.FormData({"csrf": csrf})
            form.add_field("file", raw, filename="x.csv", content_type="text/csv")
            async with b.post(f"{N}/labels/preview", data=form) as resp:
                assert resp.status == 400 and "preview error" in await resp.text()
        async with b.post(f"{N}/labels/import", data={"csrf": csrf}) as resp:
            assert resp.status == 400 and "choose a CSV file" in await resp.text()  # no file chosen: words


async def test_an_oversized_label_file_is_refused(console: Api) -> None:
    assert min(BIG_BODIES.values()) > labels.MAX_IMPORT_BYTES
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await csrf_of(b, f"{N}/labels")
        form = aiohttp.FormData({"csrf": csrf})
        form.add_field("file", b"text,label\n" + b"x" * (3 * 1024 * 1024), filename="big.csv", content_type="text/csv")
        async with b.post(f"{N}/labels/preview", data=form) as resp:
            assert resp.status == 413


async def test_rules_add_edit_expire_and_the_test_box(console: Api, uid: str) -> None:
    phrase = f"{uid}臭味"
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await csrf_of(b, f"{N}/rules")
        bad = {"csrf": csrf, "phrase": phrase, "category": "99999", "priority": "1"}
        async with b.post(f"{N}/rules", data=bad) as resp:
            assert "flash error" in await resp.text()
        for wrong in ({"priority": "lots"}, {"expires_at": "2000-01-01T00:00"}, {"phrase": "x" * 51}):
            async with b.post(f"{N}/rules", data={**bad, "category": "06010", **wrong}) as resp:
                assert "flash error" in await resp.text(), wrong
        good = {**bad, "category": "06010", "priority": "5", "expires_at": "2099-01-01T08:00", "note": "测试"}
        async with b.post(f"{N}/rules", data=good) as resp:
            assert "flash ok" in await resp.text()
        rule = await KeywordRule.get(phrase=phrase)
        assert rule.expires_at is not None and rule.expires_at.year == 2099
        async with b.post(f"{N}/try?partial=1", data={"csrf": csrf, "text": f"楼下{phrase}"}) as resp:
            said = await resp.text()
        assert 'data-code="06010"' in said and f"rule:{rule.id}" in said
        async with b.post(f"{N}/rules/{rule.id}", data={"csrf": csrf, "priority": "9", "note": "更强"}) as resp:
            assert "flash ok" in await resp.text()
        async with b.post(f"{N}/rules/{rule.id}", data={"csrf": csrf, "priority": "9", "expire": "1"}) as resp:
            page = await resp.text()
        assert f'data-rule="{rule.id}" data-active="0"' in page
        async with b.post(f"{N}/rules/999999", data={"csrf": csrf, "priority": "1"}) as resp:
            assert "flash error" in await resp.text()
    rule = await KeywordRule.get(id=rule.id)
    assert (rule.priority, rule.note, rule.active) == (9, "更强", False)


async def test_try_it_shows_category_top_five_words_and_refuses_bad_text(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        csrf = await csrf_of(b, f"{N}/try")
        async with b.post(f"{N}/try", data={"csrf": csrf, "text": "南澳街道路灯不亮了，晚上很黑"}) as resp:
            page = await resp.text()
        assert resp.status == 200 and 'class="top"' in page and "<mark>" in page
        for text in ("", "长" * 2001):
            async with b.post(f"{N}/try?partial=1", data={"csrf": csrf, "text": text}) as resp:
                assert resp.status == 400 and "flash error" in await resp.text()


async def test_models_pages_and_domain_errors_in_words(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["admin"].user_id)
        async with b.get(f"{N}/models") as resp:
            page = await resp.text()
        assert resp.status == 200 and 'id="versions"' in page
        csrf = CSRF.search(page).group(1)  # type: ignore[union-attr]
        async with b.get(f"{N}/models/2147483647") as resp:
            assert resp.status == 404
        async with b.get(f"{N}/compare?a=x&b=1") as resp:
            assert "flash error" in await resp.text()
        async with b.get(f"{N}/confirm/activate?id=999999") as resp:
            assert resp.status == 404
        async with b.get(f"{N}/confirm/explode") as resp:
            assert resp.status == 404
        async with b.post(f"{N}/models/999999/activate", data={"csrf": csrf}) as resp:
            assert "flash error" in await resp.text() and "999999" in await resp.text()
        async with b.get(f"{N}/jobs/999999.json") as resp:
            assert resp.status == 404
