"""The mini-program API served in-process per backend, talking to a local fake of WeChat's API.

One app per backend for the session (start-up loads jieba and the grid index),
sharing the test clock and the database connection of the ``database`` fixture;
the PostgreSQL app keeps its sessions and rate-limit counters in Redis. Tests keep
apart by their own openids. ``Phone`` is the mini-program: it logs in with a code
from the fake as ``wx.login()`` would, and sends requests as ``wx.request`` would.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.mp import Limits, MpConfig
from bot.settings import load_settings
from intake.store.models import User
from tests.bot.conftest import Reply
from tests.conftest import Services, state_dirs
from tests.fakes.wechat_api import FakeWeChat

Client = TestClient[web.Request, web.Application]
BOOTSTRAP_TOKEN = "bootstrap-admin-token-for-mp-tests-0123456789"
TEMPLATES = ("tmpl-progress-0001", "tmpl-result-0002")
# Phones send their own X-Forwarded-For (the server trusts it, as behind its proxy), so per-IP limits
# only bite where a test makes two residents share an address.
LIMITS = Limits(reports_per_day=8, reports_per_day_ip=12, media_per_hour=15, media_per_hour_ip=40,
                logins_per_hour_ip=10**7)


@dataclass
class WeChat:
    fake: FakeWeChat
    base: str


@pytest.fixture(scope="session")
async def wechat() -> AsyncIterator[WeChat]:
    fake = FakeWeChat()
    server = TestServer(fake.app())
    await server.start_server()
    yield WeChat(fake, str(server.make_url("")).rstrip("/"))
    await server.close()


def mp_config(wx: WeChat, media_dir: Path, limits: Limits = LIMITS) -> MpConfig:
    return MpConfig(appid=wx.fake.appid, secret=wx.fake.secret, api_base=wx.base, session_secret="test-sealing",
                    media_dir=media_dir, templates=TEMPLATES, limits=limits, behind_proxy=True)


@dataclass
class Mp:
    client: Client
    svc: Services
    wx: WeChat
    media_dir: Path
    memo: dict[str, Any]

    @property
    def backend(self) -> str:
        return "sqlite" if self.svc.url.startswith("sqlite") else "postgres"

    async def call(self, method: str, path: str, token: str | None = None, *, json: Any = None,
                   data: Any = None, params: Mapping[str, str] | None = None,
                   headers: Mapping[str, str] | None = None) -> Reply:
        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        async with self.client.request(method, path, json=json, data=data, params=params, headers=sent) as resp:
            body: Any = await resp.json() if resp.content_type == "application/json" else await resp.read()
            return Reply(resp.status, body, resp.headers)

    async def staff(self, case_no: str, action: str, **extra: Any) -> Reply:
        body = {"action": action, "note": f"{action}: 说明", **extra}
        return await self.call("POST", f"/admin/v1/cases/{case_no}/actions", BOOTSTRAP_TOKEN, json=body)

    def point(self, leaf_index: int = 0) -> tuple[float, float]:
        """``(lat, lng)`` in WGS-84 of the centroid of a leaf whose centroid lies inside it."""
        index = self.svc.ctx.grid.index
        if "inside" not in self.memo:
            self.memo["inside"] = [c.code for c in index.leaves[:40]
                                   if (p := index.locate(*index.centroid(c.code))) and p.code == c.code]
        lng, lat = index.centroid(self.memo["inside"][leaf_index])
        return lat, lng


@pytest.fixture(scope="session")
async def mp_server(services: Services, wechat: WeChat, request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Mp]:
    env = {"GRIDLINE_DATABASE_URL": services.url, "GRIDLINE_ADMIN_TOKEN": BOOTSTRAP_TOKEN, **state_dirs(services.home)}
    if services.url.startswith("postgres"):
        env["GRIDLINE_REDIS_URL"] = request.getfixturevalue("redis_url")
    media_dir = tmp_path_factory.mktemp("media")
    app = create_app(load_settings(env), clock=services.clock, sweeper=False, own_database=False,
                     mp=mp_config(wechat, media_dir))
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Mp(client, services, wechat, media_dir, {})
    await client.close()


@pytest.fixture
def mp(mp_server: Mp, svc: Services) -> Mp:
    """The backend's mini-program API with the shared clock back at ``T0``."""
    return mp_server


# -- the mini-program's side ------------------------------------------------------------------------

@dataclass
class Phone:
    """One resident's phone running the mini-program."""

    mp: Mp
    openid: str
    token: str = ""
    ip: str = field(default_factory=lambda: "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3)))

    async def login(self) -> Reply:
        reply = await self.mp.call("POST", "/mp/v1/login", json={"code": self.mp.wx.fake.login_code(self.openid)})
        if reply.status == 200:
            self.token = reply.body["token"]
        return reply

    async def call(self, method: str, path: str, **kw: Any) -> Reply:
        headers = {"X-Forwarded-For": f"203.0.113.9, {self.ip}", **kw.pop("headers", {})}
        return await self.mp.call(method, path, self.token, headers=headers, **kw)

    async def upload(self, content: bytes, filename: str = "photo.jpg",
                     content_type: str = "image/jpeg") -> Reply:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type=content_type)
        return await self.call("POST", "/mp/v1/media", data=form)

    async def report(self, description: str = "小区门口路灯不亮了，晚上很黑", *, leaf: int = 0,
                     **extra: Any) -> Reply:
        lat, lng = self.mp.point(leaf)
        body = {"description": description, "location": {"lat": lat, "lng": lng, "datum": "wgs84"},
                "category": "01037", **extra}
        return await self.call("POST", "/mp/v1/reports", json=body)


@pytest.fixture
async def phone(mp: Mp) -> Phone:
    """A fresh resident, logged in."""
    resident = Phone(mp, "o" + uuid.uuid4().hex[:27])
    assert (await resident.login()).status == 200
    return resident


async def worker_id(mp: Mp) -> int:
    if "worker" not in mp.memo:
        user = await User.create(name="小程序测试网格员", role="worker", token_hash=secrets.token_hex(32),
                                 origin="mptest")
        mp.memo["worker"] = user.id
    return int(mp.memo["worker"])


async def walk(mp: Mp, case_no: str, *actions: str) -> None:
    """Staff take ``actions`` on the case through the admin API."""
    for action in actions:
        extra = {"user_id": await worker_id(mp)} if action == "dispatch" else {}
        reply = await mp.staff(case_no, action, **extra)
        assert reply.status == 200, (action, reply.body)


TO_CLOSED = ("verify", "register", "dispatch", "accept", "handle", "check", "close")

