"""A console sign-in is listed for admins with its device, and revoking it signs that browser out."""

from __future__ import annotations

from tests.bot.conftest import Api
from tests.bot.console.conftest import browser, sign_in


async def test_a_console_session_is_listed_and_revoked(console: Api) -> None:
    desk = console.staff["desk"].user_id
    async with browser(console) as b:
        b.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"
        assert (await sign_in(b, desk)).status == 303
        listed = await console.call("GET", f"/admin/v1/sessions?namespace=console&user_id={desk}")
        assert listed.status == 200 and listed.body["items"], listed.body
        # other tests sign the same desk user in from other devices: this browser's row is among them
        mine = [r for r in listed.body["items"] if r["device"] == "Chrome · Windows"]
        assert mine and all(r["namespace"] == "console" and r["role"] == "dispatcher" for r in mine), listed.body
        async with b.get("/console/", allow_redirects=False) as resp:
            assert resp.status == 200
        for item in listed.body["items"]:
            assert (await console.call("POST", f"/admin/v1/sessions/{item['id']}/revoke")).status == 200
        async with b.get("/console/", allow_redirects=False) as resp:
            assert resp.status in (302, 303) and "/console/login" in resp.headers["Location"]
