"""The worker pages with WeCom web OAuth set up against the fake WeCom API (authorize page included),
served on a known port so ``GRIDLINE_PUBLIC_URL`` (the redirect URI WeCom sends members back to) is right."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import load_settings
from intake.store.models import User
from tests.bot.conftest import OTHER_STREET, WORKER_STREET, Api, _leaves_of, _staff
from tests.bot.worker.conftest import LINK_SECRET, Site
from tests.conftest import Services, state_dirs
from tests.fakes.wechat_api import FakeWeChat


@dataclass
class WeComSite(Site):
    fake: FakeWeChat
    fake_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def wecom_site_shared(services: Services) -> AsyncIterator[WeComSite]:
    fake = FakeWeChat()
    fake_server = TestServer(fake.app())
    await fake_server.start_server()
    fake_url = str(fake_server.make_url("")).rstrip("/")
    port = _free_port()
    settings = load_settings({
        "GRIDLINE_DATABASE_URL": services.url, "GRIDLINE_WORKER_LINK_SECRET": LINK_SECRET,
        "GRIDLINE_PUBLIC_URL": f"http://127.0.0.1:{port}", "GRIDLINE_WECOM_CORP_ID": fake.corpid,
        "GRIDLINE_WECOM_CORP_SECRET": fake.corpsecret, "GRIDLINE_WECOM_AGENT_ID": str(fake.agentid),
        "GRIDLINE_WECOM_API_BASE": fake_url, "GRIDLINE_WECOM_OAUTH_BASE": fake_url,
        "GRIDLINE_WECOM_QR_BASE": fake_url, **state_dirs(services.home)})
    app = create_app(settings, clock=services.clock, sweeper=False, own_database=False)
    client = TestClient(TestServer(app, host="127.0.0.1", port=port))
    await client.start_server()
    mine = _leaves_of(services, WORKER_STREET)
    staff = {"desk": await _staff("授权调度员", "dispatcher"), "admin": await _staff("授权管理员", "admin"),
             "w1": await _staff("授权网格员", "worker", (mine[0], mine[1]))}
    site = WeComSite(Api(client, services, staff, (mine[0], mine[1]), _leaves_of(services, OTHER_STREET)[0]),
                     fake, fake_url)
    yield site
    await client.close()
    await fake_server.close()


@pytest.fixture
def wecom_site(wecom_site_shared: WeComSite, svc: Services) -> WeComSite:
    return wecom_site_shared


async def member(site: WeComSite, wecom_userid: str, grids: tuple[str, ...]) -> int:
    """An active worker whose WeCom user id is ``wecom_userid``; the fake signs them in to WeCom."""
    staff = await _staff(f"企业微信网格员{wecom_userid[-4:]}", "worker", grids)
    assert staff.user_id is not None
    await User.filter(id=staff.user_id).update(wecom_userid=wecom_userid)
    site.fake.oauth_member = wecom_userid
    return staff.user_id


async def link(site: WeComSite, who: str, wecom_userid: str) -> None:
    """Give the site's staff member ``who`` a WeCom user id; the fake signs them in to WeCom."""
    await User.filter(id=site.api.staff[who].user_id).update(wecom_userid=wecom_userid)
    site.fake.oauth_member = wecom_userid
