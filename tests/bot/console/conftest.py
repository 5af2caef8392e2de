"""The console served by the shared API app (tests.bot.conftest), each test a browser with its own cookies."""

from __future__ import annotations

import re

import aiohttp
import pytest

from intake import passwords
from tests.bot.conftest import Api

PASSWORD = "desk-password-0123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def browser(api: Api) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=str(api.client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(b: aiohttp.ClientSession, user_id: int | None, password: str = PASSWORD) -> aiohttp.ClientResponse:
    """Fetch the form (its CSRF cookie and field), post it; the response, redirects not followed."""
    async with b.get("/console/login") as resp:
        token = CSRF.search(await resp.text())
    assert token
    data = {"csrf": token.group(1), "account": str(user_id), "password": password, "next": ""}
    async with b.post("/console/login", data=data, allow_redirects=False) as resp:
        await resp.read()
        return resp


@pytest.fixture
async def console(api: Api) -> Api:
    if "console" not in api.memo:
        for who in ("desk", "street", "w1", "admin"):
            uid = api.staff[who].user_id
            assert uid is not None
            await passwords.set_password(uid, PASSWORD, api.svc.clock())
        api.memo["console"] = True
    return api
