"""The worker's pages over HTTP: signed links, the session, CSRF, scope, and the one-tap actions."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from intake.store.models import Case, User
from tests.bot.conftest import open_case, walk
from tests.bot.worker.conftest import Site

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def signed_in(site: Site, who: str, case_no: str) -> tuple[aiohttp.ClientSession, str]:
    """A phone signed in through a task card's link, and the CSRF token on the case page."""
    phone = site.phone()
    async with phone.get(site.link(who, case_no), allow_redirects=False) as resp:
        assert resp.status == 303, await resp.text()
        assert "sig=" not in resp.headers["Location"] and "action=accept" in resp.headers["Location"]
        cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/worker" in cookie
        assert "Secure" not in cookie  # GRIDLINE_PUBLIC_URL is http here
        assert resp.headers["Referrer-Policy"] == "no-referrer"  # the signed URL leaks to no map site
    async with phone.get(f"/worker/cases/{case_no}") as resp:
        assert resp.status == 200 and "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Cache-Control"] == "no-store"
        page = await resp.text()
    found = CSRF.search(page)
    assert found, page
    return phone, found.group(1)


async def status_of(case_no: str) -> str:
    return (await Case.get(case_no=case_no)).status


async def test_a_card_link_signs_in_and_the_worker_accepts_then_reports_handled(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wk-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        async with phone.get(f"/worker/cases/{case_no}?action=accept") as resp:
            page = await resp.text()
        assert 'id="act-accept"' in page and "act focus" in page and 'id="act-handle"' not in page
        async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "accept"},
                              allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == f"/worker/cases/{case_no}"
        assert await status_of(case_no) == "handling"
        async with phone.get(f"/worker/cases/{case_no}") as resp:
            page = await resp.text()
        assert "flash ok" in page and 'id="act-handle"' in page and 'id="act-accept"' not in page
        data = {"csrf": csrf, "action": "handle", "note": "已修复路灯，联系人 13812345678"}
        async with phone.post(f"/worker/cases/{case_no}", data=data) as resp:
            page = await resp.text()
        assert await status_of(case_no) == "handled"
        assert "138****5678" in page and "13812345678" not in page  # the timeline masks the note
        # The same step again: refused by the domain, said in words on the page, nothing changes.
        async with phone.post(f"/worker/cases/{case_no}", data=data) as resp:
            page = await resp.text()
        assert resp.status == 200 and "flash error" in page and "cannot handle" in page
        assert await status_of(case_no) == "handled"


async def test_my_tasks_lists_open_cases_by_deadline_with_the_light_and_counts(site: Site, uid: str) -> None:
    first = await walk(site.api, "dispatched", f"wl-{uid}")
    phone, _ = await signed_in(site, "w1", first)
    async with phone:
        site.api.svc.clock.advance(hours=200)  # past every deadline: the light turns red
        async with phone.get("/worker/", headers={"Accept-Language": "zh-CN"}) as resp:
            page = await resp.text()
        assert resp.status == 200 and first in page and "我的任务" in page and "已派遣" in page
        assert 'class="light red"' in page
        async with phone.get("/worker/?lang=en") as resp:
            assert "My tasks" in await resp.text()


async def test_tampered_expired_and_borrowed_links_are_refused(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wt-{uid}")
    other = await open_case(site.api, f"wt2-{uid}", who="desk")
    good = site.link("w1", case_no)
    w2 = site.api.staff["w2"].user_id
    bad = [good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # tampered signature
           good.replace(f"u={site.api.staff['w1'].user_id}", f"u={w2}"),  # someone else's link
           good.replace(case_no, other),  # another case
           site.link("w1", case_no, ttl=timedelta(seconds=-1)),  # expired
           good.replace("exp=", "exp=9")]  # a later expiry
    async with site.phone() as phone:
        for url in bad:
            async with phone.get(url, allow_redirects=False) as resp:
                assert resp.status == 403, url
                assert "Set-Cookie" not in resp.headers
        async with phone.get("/worker", allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == "/worker/"
        async with phone.get("/worker/", allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"].startswith("/worker/login?next=")
        async with phone.get("/worker/login") as resp:
            assert "WeCom" in await resp.text() or "企业微信" in await resp.text()


async def test_a_post_without_the_csrf_token_is_refused(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wc-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        for data in ({"action": "accept"}, {"action": "accept", "csrf": csrf[::-1]}, {"action": "accept", "csrf": ""}):
            async with phone.post(f"/worker/cases/{case_no}", data=data, allow_redirects=False) as resp:
                assert resp.status == 403
        assert await status_of(case_no) == "dispatched"


async def test_another_cells_case_is_not_found(site: Site, uid: str) -> None:
    mine = await walk(site.api, "dispatched", f"wo-{uid}")
    theirs = await open_case(site.api, f"wo2-{uid}", who="desk", leaf=site.api.other_leaf)
    phone, csrf = await signed_in(site, "w1", mine)
    async with phone:
        async with phone.get(f"/worker/cases/{theirs}") as resp:
            assert resp.status == 404 and theirs not in await resp.text()
        async with phone.post(f"/worker/cases/{theirs}", data={"csrf": csrf, "action": "accept"}) as resp:
            assert resp.status == 404
        async with phone.get("/worker/cases/not-a-number") as resp:
            assert resp.status == 404
        async with phone.get("/worker/") as resp:
            assert theirs not in await resp.text()
    # Even a genuine link for that case opens nothing the worker's scope does not cover.
    async with site.phone() as other_phone, other_phone.get(site.link("w1", theirs)) as resp:
        assert resp.status == 404


async def test_a_deactivated_worker_is_out_at_the_next_request(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wd-{uid}")
    phone, csrf = await signed_in(site, "w2", case_no)
    user_id = site.api.staff["w2"].user_id
    async with phone:
        await User.filter(id=user_id).update(active=False)
        try:
            async with phone.get("/worker/", allow_redirects=False) as resp:
                assert resp.status == 303 and "/worker/login" in resp.headers["Location"]
            async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "accept"}) as resp:
                assert resp.status == 401
            async with phone.get(site.link("w2", case_no)) as resp:
                assert resp.status == 403  # and no new link lets them back in
        finally:
            await User.filter(id=user_id).update(active=True)
        async with phone.get("/worker/", allow_redirects=False) as resp:
            assert resp.status == 303  # the session ended for good; reactivation needs a new sign-in


async def test_logout_ends_the_session_and_bad_extension_hours_are_explained(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "handling", f"we-{uid}")
    phone, csrf = await signed_in(site, "w1", case_no)
    async with phone:
        data = {"csrf": csrf, "action": "request_extension", "hours": "99999", "note": "需要等待配件"}
        async with phone.post(f"/worker/cases/{case_no}", data=data) as resp:
            assert "flash error" in await resp.text()
        async with phone.post(f"/worker/cases/{case_no}", data={**data, "hours": "24"}) as resp:
            assert "flash ok" in await resp.text()
        assert (await Case.get(case_no=case_no)).extension_request is not None
        async with phone.get(f"/worker/cases/{case_no}") as resp:
            assert "已申请延期 24 小时" in await resp.text()
        async with phone.post(f"/worker/cases/{case_no}", data={"csrf": csrf, "action": "close"}) as resp:
            assert resp.status == 400  # not a step this page offers
        mine = f"/worker/cases/{case_no}"
        for target, landing in (("/worker/", "/worker/"), ("https://evil.example/", "/worker/"),
                                ("/worker//evil.example", "/worker/"), (mine, mine)):
            async with phone.get("/worker/login", params={"next": target}, allow_redirects=False) as resp:
                assert resp.status == 303 and resp.headers["Location"] == landing, target
        async with phone.post("/worker/logout", data={"csrf": csrf}, allow_redirects=False) as resp:
            assert resp.status == 303
        async with phone.get("/worker/", allow_redirects=False) as resp:
            assert resp.status == 303
