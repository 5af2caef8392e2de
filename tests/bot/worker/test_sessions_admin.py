"""Page sessions listed and revoked by an admin (API and CLI): the phone is out at its next request."""

from __future__ import annotations

import argparse

import pytest

from bot import sessions_cli
from bot.settings import load_settings
from intake.org.sessions import summary
from tests.bot.conftest import walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in

WECOM = ("Mozilla/5.0 (Linux; Android 13; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 "
         "Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1")


async def test_an_admin_lists_a_workers_session_and_revokes_it(site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"ws-{uid}")
    phone, _ = await signed_in(site, "w2", case_no)
    w2 = site.api.staff["w2"].user_id
    async with phone:
        async with site.phone() as other, other.get(site.link("w2", case_no), headers={"User-Agent": WECOM}) as resp:
            assert resp.status == 200
        listed = await site.api.call("GET", f"/admin/v1/sessions?user_id={w2}&namespace=worker")
        assert listed.status == 200, listed.body
        mine = listed.body["items"]
        assert len(mine) >= 2 and {r["user"] for r in mine} == {"页面网格员乙"}
        assert "WeCom · Android" in {r["device"] for r in mine}
        assert set(mine[0]) == {"id", "namespace", "user_id", "user", "role", "created_at", "last_seen_at", "device"}
        # Which one is the phone's? Revoke every other one, then the phone's: out at its next request.
        for row in mine:
            assert (await site.api.call("POST", f"/admin/v1/sessions/{row['id']}/revoke")).status == 200
        async with phone.get("/worker/", allow_redirects=False) as resp:
            assert resp.status == 303 and resp.headers["Location"].startswith("/worker/login")
        again = await site.api.call("POST", f"/admin/v1/sessions/{mine[0]['id']}/revoke")
        assert again.status == 404
        assert (await site.api.call("GET", f"/admin/v1/sessions?user_id={w2}")).body["items"] == []


@pytest.mark.parametrize("query", ["namespace=mp", "user_id=-1", "user_id=1e9", "whatever=1"])
async def test_bad_queries_and_other_roles_are_refused(site: Site, query: str) -> None:
    assert (await site.api.call("GET", f"/admin/v1/sessions?{query}")).status == 400
    assert (await site.api.call("GET", "/admin/v1/sessions", "w1")).status == 403
    assert (await site.api.call("POST", "/admin/v1/sessions/1/revoke", "desk")).status == 403
    assert (await site.api.call("POST", "/admin/v1/sessions/x/revoke")).status == 404


async def test_the_cli_lists_and_without_redis_says_how_to_revoke(site: Site, uid: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    await signed_in(site, "w1", await walk(site.api, "dispatched", f"wsc-{uid}"))
    settings = load_settings({"GRIDLINE_DATABASE_URL": site.api.svc.url})
    revoke = argparse.Namespace(sessions_command="revoke", id=1)
    assert await sessions_cli.run(settings, revoke) == 2
    assert "admin/v1/sessions" in capsys.readouterr().out


@pytest.mark.parametrize(("ua", "seen"), [(WECOM, "WeCom · Android"), ("", "other"),
                                          ("curl/8.5.0", "curl"), ("<script>" * 500, "other"),
                                          ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1",
                                           "Safari · iOS")])
def test_the_device_summary_keeps_nothing_else_of_the_header(ua: str, seen: str) -> None:
    assert summary(ua) == seen
