"""The console's WeCom QR sign-in (企业微信扫码登录) against the fake WeCom server: its QR page
(``/wwlogin/sso/login``) and ``getuserinfo`` with real errcodes. The state is single-use and bound to the
browser that began it; only an active user linked to the WeCom id and holding a console role gets in;
every success and refusal is audited."""

from __future__ import annotations

import re

import aiohttp
import pytest
from yarl import URL

from intake.store.models import User
from intake.store.models_console import StaffAudit
from tests.bot.conftest import Api
from tests.bot.console.conftest import browser
from tests.bot.worker.wecom_site import WeComSite, link, wecom_site, wecom_site_shared  # noqa: F401

ZH = {"Accept-Language": "zh-CN"}
NOT_SET_UP = "本系统未开通企业微信登录"


async def _begin(b: aiohttp.ClientSession, site: WeComSite, target: str = "/console/map") -> tuple[str, str]:
    """The sign-in page's QR button, up to WeCom's QR page (not followed): the way back and the state."""
    async with b.get(f"/console/login?next={target}", headers=ZH) as resp:
        page = await resp.text()
    assert "企业微信扫码登录" in page
    href = re.search(r'id="wecom" href="([^"]+)"', page)
    assert href
    async with b.get(href.group(1).replace("&amp;", "&"), allow_redirects=False) as resp:
        assert resp.status == 303
        qr = URL(resp.headers["Location"])
    assert str(qr.with_query(None)) == f"{site.fake_url}/wwlogin/sso/login"
    assert qr.query["login_type"] == "CorpApp" and qr.query["appid"] == site.fake.corpid
    assert qr.query["agentid"] == str(site.fake.agentid)
    assert qr.query["redirect_uri"] == site.url("/console/login/wecom/back")
    return qr.query["redirect_uri"], qr.query["state"]


async def _audit_since(first: int) -> list[tuple[str, str]]:
    return [(a.event, a.detail) for a in await StaffAudit.filter(id__gt=first).order_by("id")]


async def _last_audit() -> int:
    last = await StaffAudit.all().order_by("-id").first()
    return last.id if last else 0


async def test_a_dispatcher_scans_and_lands_on_the_page_asked_for(wecom_site: WeComSite, uid: str) -> None:  # noqa: F811
    await link(wecom_site, "desk", f"qr-desk-{uid}")
    desk = wecom_site.api.staff["desk"].user_id
    async with wecom_site.phone() as b:
        back, state = await _begin(b, wecom_site)
        async with b.get(f"{wecom_site.fake_url}/wwlogin/sso/login", params={  # the member scans, WeCom redirects
                "login_type": "CorpApp", "appid": wecom_site.fake.corpid, "agentid": str(wecom_site.fake.agentid),
                "redirect_uri": back, "state": state}) as resp:
            assert resp.status == 200 and resp.url.path == "/console/login/wecom/back"
            page = await resp.text()
        assert 'http-equiv="refresh" content="0;url=/console/map"' in page  # a same-site step onwards
        async with b.get("/console/map", allow_redirects=False) as resp:
            assert resp.status == 200
        assert "wecom_qr_login" in wecom_site.fake.calls and "wecom_getuserinfo" in wecom_site.fake.calls
        assert "gl_console_oauth" not in {c.key for c in b.cookie_jar if c.value}
    rows = await StaffAudit.filter(user_id=desk, event="sign_in", detail="wecom qr").count()
    assert rows >= 1


@pytest.mark.parametrize("who", ["forged", "outsider", "unlinked", "worker", "inactive"])
async def test_bad_codes_strangers_and_workers_are_refused_and_audited(wecom_site: WeComSite,  # noqa: F811
                                                                      uid: str, who: str) -> None:
    fake, first = wecom_site.fake, await _last_audit()
    if who in ("worker", "inactive"):
        await link(wecom_site, "w1", f"qr-{who}-{uid}")
    if who == "inactive":
        await User.filter(id=wecom_site.api.staff["w1"].user_id).update(role="dispatcher", active=False)
    async with wecom_site.phone() as b:
        back, state = await _begin(b, wecom_site)
        code = {"forged": "forged-code", "outsider": fake.oauth_code(None),
                "unlinked": fake.oauth_code(f"nobody-{uid}")}.get(who) or fake.oauth_code(f"qr-{who}-{uid}")
        try:
            async with b.get(URL(back).path, params={"code": code, "state": state}, allow_redirects=False) as resp:
                assert resp.status == 403, await resp.text()
            async with b.get("/console/", allow_redirects=False) as resp:
                assert resp.status == 303 and resp.headers["Location"].startswith("/console/login")
        finally:
            if who == "inactive":
                await User.filter(id=wecom_site.api.staff["w1"].user_id).update(role="worker", active=True)
    assert code not in fake.oauth_codes  # it was exchanged (40029 for the forged one)
    why = {"forged": "wecom refused the code", "outsider": "wecom refused the code",
           "unlinked": "wecom id not linked", "worker": "no console role", "inactive": "wecom id not linked"}[who]
    assert ("sign_in_failed", why) in await _audit_since(first)


async def test_the_state_is_single_use_and_bound_to_its_browser(wecom_site: WeComSite, uid: str) -> None:  # noqa: F811
    await link(wecom_site, "admin", f"qr-admin-{uid}")
    fake = wecom_site.fake
    async with wecom_site.phone() as b:
        back, state = await _begin(b, wecom_site)
        async with wecom_site.phone() as other:  # another browser with this browser's state: never exchanged
            code = fake.oauth_code(f"qr-admin-{uid}")
            async with other.get(URL(back).path, params={"code": code, "state": state}) as resp:
                assert resp.status == 403
            assert code in fake.oauth_codes
        for bad in ({"code": code, "state": state + "x"}, {"code": "c" * 513, "state": state},
                    {"code": code, "state": "s" * 65}, {"state": state}):
            async with b.get(URL(back).path, params=bad) as resp:
                assert resp.status == 403
        assert code in fake.oauth_codes
        async with b.get(URL(back).path, params={"code": code, "state": state}) as resp:
            assert resp.status == 200 and resp.url.path == "/console/login/wecom/back"
        async with b.get(URL(back).path, params={"code": fake.oauth_code(f"qr-admin-{uid}"), "state": state}) as resp:
            assert resp.status == 403  # used up by the first
        async with b.get("/console/", allow_redirects=False) as resp:
            assert resp.status == 200


async def test_without_wecom_set_up_the_console_offers_no_qr(console: Api) -> None:
    async with browser(console) as b:
        async with b.get("/console/login", headers=ZH) as resp:
            assert "企业微信扫码登录" not in await resp.text()
        async with b.get("/console/login/wecom", headers=ZH, allow_redirects=False) as resp:
            assert resp.status == 200 and NOT_SET_UP in await resp.text()
