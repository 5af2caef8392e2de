"""The worker's pages served in-process on a real port, with a known link key, one server per backend.

Cases are opened and dispatched through the admin API (tests.bot.conftest's helpers); each test then
plays a phone: its own cookie jar, as a browser has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import load_settings
from intake import links
from tests.bot.conftest import OTHER_STREET, WORKER_STREET, Api, _leaves_of, _staff
from tests.conftest import Services, state_dirs

LINK_SECRET = "worker-link-secret-for-tests-0123456789"
PHOTO_LINK_SECRET = "handled-photo-links-for-tests-0123456789"
KEY = LINK_SECRET.encode()


@dataclass
class Site:
    api: Api

    def url(self, path: str) -> str:
        return str(self.api.client.make_url(path))

    def link(self, who: str, case_no: str, action: str = "accept", ttl: timedelta = links.DEFAULT_TTL) -> str:
        user_id = self.api.staff[who].user_id
        assert user_id is not None
        signed = links.issue(KEY, user_id, case_no, self.api.svc.clock(), ttl).query(KEY)
        query = "&".join(f"{k}={v}" for k, v in {"action": action, **signed}.items())
        return f"/worker/cases/{case_no}?{query}"

    def phone(self) -> aiohttp.ClientSession:
        """A browser of its own: cookies kept, redirects not followed unless asked."""
        return aiohttp.ClientSession(base_url=self.url("/"), cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.fixture(scope="session")
async def worker_site(services: Services) -> AsyncIterator[Site]:
    settings = load_settings({"GRIDLINE_DATABASE_URL": services.url, "GRIDLINE_WORKER_LINK_SECRET": LINK_SECRET,
                              "GRIDLINE_PHOTO_LINK_SECRET": PHOTO_LINK_SECRET, **state_dirs(services.home)})
    client = TestClient(TestServer(create_app(settings, clock=services.clock, sweeper=False, own_database=False)))
    await client.start_server()
    mine = _leaves_of(services, WORKER_STREET)
    leaves = (mine[0], mine[1])
    staff = {"admin": await _staff("页面管理员", "admin"), "desk": await _staff("页面调度员", "dispatcher"),
             "w1": await _staff("页面网格员甲", "worker", leaves),
             "w2": await _staff("页面网格员乙", "worker", (leaves[0],))}
    yield Site(Api(client, services, staff, leaves, _leaves_of(services, OTHER_STREET)[0]))
    await client.close()


@pytest.fixture
def site(worker_site: Site, svc: Services) -> Site:
    return worker_site
