"""Fixtures for notify/: the fake WeChat/WeCom server on a loopback port, the HTTP seam, Redis clients."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from notify.http import Http
from notify.tokens import MemoryTokenStore
from notify.wechat import WeChatClient, WeComClient
from tests.fakes.wechat_api import FakeWeChat


@dataclass
class Api:
    fake: FakeWeChat
    base: str
    http: Http

    def wechat(self, tokens: MemoryTokenStore | None = None, stable: bool = True) -> WeChatClient:
        return WeChatClient(self.http, self.base, self.fake.appid, self.fake.secret, tokens or MemoryTokenStore(),
                            stable=stable)

    def wecom(self) -> WeComClient:
        return WeComClient(self.http, self.base, self.fake.corpid, self.fake.corpsecret, MemoryTokenStore())


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    """A fresh fake server per test, so its record holds only this test's deliveries."""
    fake = FakeWeChat()
    server = TestServer(fake.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield Api(fake, str(server.make_url("")).rstrip("/"), http)
    await http.close()
    await server.close()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def name() -> str:
    """A unique key prefix / stream name for this test."""
    return f"test:{uuid.uuid4().hex[:12]}"
