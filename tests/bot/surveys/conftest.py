"""One app per backend serving the 公众号 callback, the mini-program and the admin API, on the shared clock.

Residents talk through signed callbacks (``tests/bot/wechat/signing``) and the
mini-program (a local fake of WeChat's API for logins); staff walk cases to 结案
through the admin API. Tests keep apart by their own openids.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.auth import hash_token, new_token
from bot.keys import RECORDER, WECHAT
from bot.mp import Limits, MpConfig
from bot.settings import load_settings
from bot.wechat import WeChatConfig
from intake.store.models import User, UserGrid
from notify.types import Notification
from tests.bot.wechat import signing
from tests.conftest import Services, state_dirs
from tests.fakes.wechat_api import FakeWeChat

TOKEN, APPID = "surveytoken0123456789abcdef", "wxsurvey00000001"
ADMIN_TOKEN = "bootstrap-admin-token-for-survey-tests-0123456789"
CATEGORY = "01037"  # 路灯异常: waits for the dispatcher
ROAD = ("verify", "register", "dispatch", "accept", "handle", "check", "close")
AGAIN = ("dispatch", "accept", "handle", "check", "close")
_ids = itertools.count(int(time.time() * 1000) % 10**9 * 1000 + 7)


@dataclass
class App:
    client: TestClient[web.Request, web.Application]
    svc: Services
    keys: WeChatConfig
    fake: FakeWeChat
    worker: int
    tokens: dict[str, str]

    @property
    def sent(self) -> list[Notification]:
        app = self.client.app
        assert app is not None
        return app[RECORDER].sent

    async def say(self, openid: str, content: str) -> str:
        """A text message through the signed callback; the passive reply's text ('' for none)."""
        xml = signing.text_xml(content, create_time=int(time.time()), from_user=openid, msg_id=str(next(_ids)))
        req = signing.plain_request(self.keys, xml, timestamp=int(time.time()), nonce=str(next(_ids)))
        async with self.client.post("/wechat", params=req.query, data=req.body) as resp:
            assert resp.status == 200
            body = await resp.text()
        return "" if body == "success" else body

    async def call(self, method: str, path: str, token: str | None = ADMIN_TOKEN, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.request(method, path, headers=headers, **kw) as resp:
            body = await resp.json() if resp.content_type == "application/json" else await resp.text()
            return resp.status, body

    async def report(self, channel: str, reporter: str, leaf: int = 60) -> str:
        index = self.svc.ctx.grid.index
        lng, lat = index.centroid(index.leaves[leaf].code)
        status, body = await self.call("POST", "/admin/v1/reports", json={
            "channel": channel, "reporter": reporter, "description": "楼下路灯不亮了，晚上很黑", "lat": lat,
            "lng": lng, "category": CATEGORY})
        assert status == 201, body
        return str(body["case_no"])

    async def walk(self, case_no: str, *actions: str) -> None:
        for action in actions:
            self.svc.clock.advance(minutes=5)
            body: dict[str, Any] = {"action": action, "note": "已修复，恢复照明" if action == "close" else "说明"}
            if action == "dispatch":
                body["user_id"] = self.worker
            status, reply = await self.call("POST", f"/admin/v1/cases/{case_no}/actions", json=body)
            assert status == 200, (action, reply)

    async def status(self, case_no: str) -> str:
        status, body = await self.call("GET", f"/admin/v1/cases/{case_no}")
        assert status == 200, body
        return str(body["status"])

    async def login(self, openid: str) -> str:
        status, body = await self.call("POST", "/mp/v1/login", None, json={"code": self.fake.login_code(openid)})
        assert status == 200, body
        return str(body["token"])


async def _staff(role: str, grids: tuple[str, ...] = ()) -> tuple[str, int]:
    token = new_token()
    user = await User.create(name=f"回访测试{role}", role=role, token_hash=hash_token(token), origin="surveytest")
    await UserGrid.bulk_create([UserGrid(user=user, grid_code=g) for g in grids])
    return token, user.id


@pytest.fixture(scope="session")
async def survey_app(services: Services, request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[App]:
    fake = FakeWeChat()
    fake_server = TestServer(fake.app())
    await fake_server.start_server()
    env = {"GRIDLINE_DATABASE_URL": services.url, "GRIDLINE_ADMIN_TOKEN": ADMIN_TOKEN,
           "GRIDLINE_WECHAT_TOKEN": TOKEN, "GRIDLINE_WECHAT_APPID": APPID, **state_dirs(services.home)}
    if services.url.startswith("postgres"):
        env["GRIDLINE_REDIS_URL"] = request.getfixturevalue("redis_url")
    media: Path = tmp_path_factory.mktemp("survey-media")
    mp = MpConfig(appid=fake.appid, secret=fake.secret, api_base=str(fake_server.make_url("")).rstrip("/"),
                  session_secret="survey-sealing", media_dir=media, templates=("tmpl-survey-01",),
                  limits=Limits(logins_per_hour_ip=10**7), behind_proxy=False)
    app = create_app(load_settings(env), clock=services.clock, sweeper=False, own_database=False, mp=mp)
    client = TestClient(TestServer(app))
    await client.start_server()
    _, worker = await _staff("worker")
    index = services.ctx.grid.index
    street = index.leaves[60].code[:9]
    tokens = {"worker": (await _staff("worker"))[0], "desk": (await _staff("dispatcher"))[0],
              "street": (await _staff("dispatcher", (street,)))[0]}
    assert client.app is not None
    yield App(client, services, client.app[WECHAT], fake, worker, tokens)
    await client.close()
    await fake_server.close()


@pytest.fixture
def app(survey_app: App, svc: Services) -> App:
    """The backend's app with the shared clock back at T0."""
    return survey_app


def openid() -> str:
    return "o" + secrets.token_hex(13)
