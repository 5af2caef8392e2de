"""Signing in without a task card: WeCom web OAuth through the fake WeCom API (authorize page and
getuserinfo with real errcodes), and one-time codes (single use, short-lived, tries limited)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import aiohttp
from yarl import URL

from bot.keys import KV
from bot.worker.signin import _tries_key
from intake import login_codes
from tests.bot.conftest import walk
from tests.bot.test_cli import gridline
from tests.bot.worker.wecom_site import WeComSite, member, wecom_site, wecom_site_shared  # noqa: F401
from tests.conftest import Services

WXWORK = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36 wxwork/4.1.22"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def test_inside_wecom_the_card_link_signs_in_through_oauth(wecom_site: WeComSite, uid: str) -> None:  # noqa: F811
    case_no = await walk(wecom_site.api, "dispatched", f"oa-{uid}")
    await member(wecom_site, f"zhang-{uid}", wecom_site.api.leaves)
    async with wecom_site.phone() as phone:
        async with phone.get(f"/worker/cases/{case_no}?action=accept", allow_redirects=False) as resp:
            assert resp.status == 303
            login = resp.headers["Location"]
        assert login.startswith("/worker/login?next=")
        async with phone.get(login, headers={"User-Agent": WXWORK}) as resp:
            assert resp.status == 200, await resp.text()
            assert resp.url.path == f"/worker/cases/{case_no}" and resp.url.query["action"] == "accept"
            assert case_no in await resp.text()  # the case page (zhang is not its assignee: no 接单 offered)
            hops = [str(h.url) for h in resp.history]
    authorize = URL(next(h for h in hops if "/connect/oauth2/authorize" in h))
    assert authorize.query["scope"] == "snsapi_base" and authorize.query["appid"] == wecom_site.fake.corpid
    assert authorize.query["agentid"] == str(wecom_site.fake.agentid)
    assert authorize.query["redirect_uri"] == wecom_site.url("/worker/login/wecom/back")
    assert "wecom_getuserinfo" in wecom_site.fake.calls


async def _started(phone: aiohttp.ClientSession) -> tuple[str, str]:
    """Begin a sign-in (outside WeCom: the button); WeCom's redirect target and the state, not followed."""
    async with phone.get("/worker/login/wecom?next=/worker/", allow_redirects=False) as resp:
        assert resp.status == 303
        authorize = URL(resp.headers["Location"])
    assert authorize.fragment == "wechat_redirect"
    return authorize.query["redirect_uri"], authorize.query["state"]


async def test_a_bad_code_an_outsider_or_an_unlinked_member_are_refused(wecom_site: WeComSite,  # noqa: F811
                                                                          uid: str) -> None:
    fake = wecom_site.fake
    async with wecom_site.phone() as phone:
        back, state = await _started(phone)
        asked = fake.calls.count("wecom_getuserinfo")
        async with phone.get(URL(back).path, params={"code": "forged-code", "state": state}) as resp:
            assert resp.status == 403  # WeCom answered 40029 invalid code
        assert fake.calls.count("wecom_getuserinfo") == asked + 1
        for userid in (None, f"nobody-{uid}"):  # an outsider (openid only); a member gridline does not know
            fake.oauth_member = userid
            async with phone.get("/worker/login/wecom?next=/worker/") as resp:
                assert resp.status == 403
        async with phone.get("/worker/", allow_redirects=False) as resp:
            assert resp.status == 303  # still signed out
    async with wecom_site.phone() as other:  # a code and state that began in another browser
        code = fake.oauth_code(f"x-{uid}")
        async with other.get(URL(back).path, params={"code": code, "state": state}) as resp:
            assert resp.status == 403
        assert code in fake.oauth_codes  # never exchanged


async def test_a_used_code_is_refused_by_wecom(wecom_site: WeComSite, uid: str) -> None:  # noqa: F811
    await member(wecom_site, f"li-{uid}", wecom_site.api.leaves)
    async with wecom_site.phone() as phone:
        back, state = await _started(phone)
        code = wecom_site.fake.oauth_code(f"li-{uid}")
        async with phone.get(URL(back).path, params={"code": code, "state": state}, allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == "/worker/"
        async with phone.get(URL(back).path, params={"code": code, "state": state}) as resp:
            assert resp.status == 403  # the state was used up with the first
    assert code not in wecom_site.fake.oauth_codes


async def _fresh_tries(site: WeComSite) -> None:
    """The wrong-code counters start at zero (they are per address, and every test comes from 127.0.0.1)."""
    for who in ("127.0.0.1", "*"):
        await site.api.client.app[KV].delete(_tries_key(who))


async def _code_form(phone: aiohttp.ClientSession) -> str:
    async with phone.get("/worker/login?next=/worker/report") as resp:
        page = await resp.text()
    assert 'action="/worker/login/code"' in page and 'href="/worker/login/wecom?next=' in page
    found = CSRF.search(page)
    assert found
    return found.group(1)


async def test_a_one_time_code_signs_in_once(wecom_site: WeComSite, svc: Services, uid: str) -> None:  # noqa: F811
    user_id = await member(wecom_site, f"wang-{uid}", wecom_site.api.leaves)
    code = await login_codes.issue(user_id, svc.clock())
    await _fresh_tries(wecom_site)
    async with wecom_site.phone() as phone:
        csrf = await _code_form(phone)
        async with phone.post("/worker/login/code", data={"csrf": "", "code": code}) as resp:
            assert resp.status == 403
        form = {"csrf": csrf, "code": f"{code[:4]} {code[4:]}", "next": "/worker/report"}
        async with phone.post("/worker/login/code", data=form, allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"] == "/worker/report"
        async with phone.get("/worker/report") as resp:
            assert resp.status == 200 and resp.url.path == "/worker/report"
    async with wecom_site.phone() as again:
        form["csrf"] = await _code_form(again)
        async with again.post("/worker/login/code", data=form) as resp:
            assert resp.status == 401  # used
    late = await login_codes.issue(user_id, svc.clock() - timedelta(minutes=16))
    assert await login_codes.redeem(late, svc.clock()) is None  # expired


async def test_wrong_codes_are_limited(wecom_site: WeComSite, svc: Services, uid: str) -> None:  # noqa: F811
    user_id = await member(wecom_site, f"zhao-{uid}", wecom_site.api.leaves)
    code = await login_codes.issue(user_id, svc.clock())
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    await _fresh_tries(wecom_site)
    async with wecom_site.phone() as phone:
        csrf = await _code_form(phone)
        statuses = []
        for _ in range(6):
            async with phone.post("/worker/login/code", data={"csrf": csrf, "code": wrong}) as resp:
                statuses.append(resp.status)
        async with phone.post("/worker/login/code", data={"csrf": csrf, "code": code}) as resp:
            statuses.append(resp.status)
    assert statuses == [401] * 5 + [429, 429]


async def test_the_cli_prints_a_code_that_signs_in(wecom_site: WeComSite, svc: Services, uid: str,  # noqa: F811
                                                   tmp_path: Path) -> None:
    user_id = await member(wecom_site, f"cli-{uid}", wecom_site.api.leaves)
    env = {"GRIDLINE_DATABASE_URL": svc.url}
    result = await asyncio.to_thread(gridline, tmp_path, "worker", "code", "--user", str(user_id), env=env)
    assert result.returncode == 0, result.stderr
    printed = re.match(r"(\d{4}) (\d{4})  \(one sign-in at .*/worker/login, within 15 minutes\)", result.stdout)
    assert printed, result.stdout
    await _fresh_tries(wecom_site)
    async with wecom_site.phone() as phone:
        form = {"csrf": await _code_form(phone), "code": printed.group(1) + printed.group(2), "next": "/worker/"}
        async with phone.post("/worker/login/code", data=form, allow_redirects=False) as resp:
            assert resp.status == 303
    missing = await asyncio.to_thread(gridline, tmp_path, "worker", "code", "--user", "999999999", env=env)
    assert missing.returncode == 2 and "no active user" in missing.stdout
