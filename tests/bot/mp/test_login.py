"""Login through jscode2session, the session token, and phone binding."""

from __future__ import annotations

import hashlib
import uuid

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import middlewares
from bot.keys import CASES, KV
from bot.mp import MpConfig, setup
from bot.mp.services import MP
from bot.storage.memory import MemoryStore
from bot.storage.tokens import KvTokenStore
from intake.store.models import MpAccount, MpSession
from tests.bot.mp.conftest import Mp, Phone
from tests.conftest import Services


def _openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


async def test_login_returns_an_opaque_token_and_keeps_the_session_key(mp: Mp) -> None:
    resident = Phone(mp, _openid())
    reply = await resident.login()
    assert reply.status == 200, reply.body
    assert set(reply.body) == {"token", "token_type", "expires_at", "phone"}
    assert reply.body["token_type"] == "Bearer" and reply.body["phone"] is None
    key = mp.wx.fake.sessions[resident.openid]
    assert key not in str(reply.body) and resident.openid not in str(reply.body)
    row = await MpSession.get(token_hash=hashlib.sha256(resident.token.encode()).hexdigest())
    assert row.openid == resident.openid
    assert key not in row.session_key_enc and resident.token not in row.session_key_enc
    assert mp.client.app[MP].sessions.session_key(row) == key  # encrypted, and readable by the server
    assert await MpAccount.exists(openid=resident.openid)
    mine = await resident.call("GET", "/mp/v1/reports")
    assert mine.status == 200 and mine.body["total"] == 0


async def test_login_keeps_the_unionid(mp: Mp) -> None:
    openid = _openid()
    code = mp.wx.fake.login_code(openid, unionid="union-" + openid)
    assert (await mp.call("POST", "/mp/v1/login", json={"code": code})).status == 200
    assert (await MpAccount.get(openid=openid)).unionid == "union-" + openid


async def test_invalid_and_used_codes_are_401(mp: Mp) -> None:
    bad = await mp.call("POST", "/mp/v1/login", json={"code": "never-issued-code"})
    assert (bad.status, bad.error, bad.body["details"]) == (401, "invalid_code", {"errcode": 40029})
    code = mp.wx.fake.login_code(_openid())
    assert (await mp.call("POST", "/mp/v1/login", json={"code": code})).status == 200
    again = await mp.call("POST", "/mp/v1/login", json={"code": code})
    assert (again.status, again.body["details"]) == (401, {"errcode": 40163})


async def test_wechat_failures_map_to_statuses(mp: Mp) -> None:
    for errcode, status, error in ((45011, 429, "wechat_rate_limited"), (-1, 503, "wechat_unavailable"),
                                   (40013, 502, "wechat_error")):
        mp.wx.fake.fail_next.append(errcode)
        reply = await mp.call("POST", "/mp/v1/login", json={"code": mp.wx.fake.login_code(_openid())})
        assert (reply.status, reply.error) == (status, error)
        if status in (429, 503):
            assert int(reply.headers["Retry-After"]) > 0


async def test_login_body_is_validated(mp: Mp) -> None:
    for body in ({}, {"code": ""}, {"code": "a b"}, {"code": "x" * 129}, {"code": "ok", "extra": 1}, {"code": 7}):
        reply = await mp.call("POST", "/mp/v1/login", json=body)
        assert (reply.status, reply.error) == (400, "invalid"), body
    reply = await mp.call("POST", "/mp/v1/login", data=b"{not json", headers={"Content-Type": "application/json"})
    assert (reply.status, reply.error) == (400, "invalid_json")


async def test_forged_malformed_and_staff_tokens_are_401(mp: Mp, phone: Phone) -> None:
    forged = "mps_" + phone.token[4:-4] + "AAAA"
    for header in (None, "Bearer", f"Bearer {forged}", f"Basic {phone.token}", "Bearer glt_admin-token-x",
                   f"Bearer {phone.token}\u00e9", "Bearer mps_" + "x" * 200):
        reply = await mp.call("GET", "/mp/v1/reports", headers={"Authorization": header} if header else None)
        assert (reply.status, reply.error) == (401, "unauthorized"), header
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")


async def test_expired_session_is_401(mp: Mp, phone: Phone) -> None:
    assert (await phone.call("GET", "/mp/v1/reports")).status == 200  # now cached in the key-value store too
    mp.svc.clock.advance(days=7, seconds=1)
    reply = await phone.call("GET", "/mp/v1/reports")
    assert (reply.status, reply.error) == (401, "unauthorized")


async def test_phone_binding_stores_the_number_masked(mp: Mp, phone: Phone) -> None:
    reply = await phone.call("POST", "/mp/v1/phone", json={"code": mp.wx.fake.phone_code("13812341234")})
    assert (reply.status, reply.body) == (200, {"phone": "138****1234"})
    account = await MpAccount.get(openid=phone.openid)
    assert account.phone_masked == "138****1234"
    again = await phone.login()
    assert again.body["phone"] == "138****1234"


async def test_phone_binding_errors(mp: Mp, phone: Phone) -> None:
    bad = await phone.call("POST", "/mp/v1/phone", json={"code": "not-a-phone-code"})
    assert (bad.status, bad.error) == (400, "invalid_code")
    nobody = await mp.call("POST", "/mp/v1/phone", json={"code": mp.wx.fake.phone_code("13800000000")})
    assert nobody.status == 401
    mp.wx.fake.fail_next.append(-1)
    busy = await phone.call("POST", "/mp/v1/phone", json={"code": mp.wx.fake.phone_code("13800000000")})
    assert busy.status == 503


async def test_a_stale_access_token_is_refreshed_once(mp: Mp, phone: Phone) -> None:
    tokens = KvTokenStore(mp.client.app[KV])
    await tokens.put(f"wechat:{mp.wx.fake.appid}", "stale-token", 600)  # where the shared token lives
    calls = len(mp.wx.fake.calls)
    reply = await phone.call("POST", "/mp/v1/phone", json={"code": mp.wx.fake.phone_code("13900001111")})
    assert (reply.status, reply.body) == (200, {"phone": "139****1111"})
    assert mp.wx.fake.calls[calls:] == ["getuserphonenumber", "getuserphonenumber"]  # refused once, retried
    assert await tokens.get(f"wechat:{mp.wx.fake.appid}") in mp.wx.fake.tokens


async def test_the_mini_program_uses_the_shared_stable_token(mp: Mp, phone: Phone) -> None:
    before = mp.wx.fake.token_calls["token"]
    reply = await phone.call("POST", "/mp/v1/phone", json={"code": mp.wx.fake.phone_code("13900002222")})
    assert reply.status == 200 and mp.wx.fake.token_calls["token"] == before  # never the invalidating /cgi-bin/token


async def test_without_credentials_login_is_503(svc: Services) -> None:
    app = web.Application(middlewares=[middlewares.errors])
    app[KV], app[CASES] = MemoryStore(), svc.ctx
    setup(app, MpConfig())
    async with TestClient(TestServer(app)) as client, client.post("/mp/v1/login", json={"code": "abc"}) as resp:
        assert resp.status == 503 and (await resp.json())["error"] == "not_configured"


async def test_the_factory_serves_open311_beside_the_mini_program(mp: Mp) -> None:
    reply = await mp.call("GET", "/open311/v2/discovery.json")
    assert reply.status == 200 and reply.body["endpoints"][0]["url"].endswith("/open311/v2")
