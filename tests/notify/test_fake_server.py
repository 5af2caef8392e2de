"""The fake API server run standalone in another process, as the crash test and benchmarks use it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp
import pytest

from notify.channels.local import BlackholeChannel
from notify.channels.wechat import WeChatCsChannel
from notify.channels.wecom import WeComRobotChannel
from notify.http import Http
from notify.tokens import MemoryTokenStore
from notify.types import Envelope, Outcome
from notify.wechat import WeChatClient
from tests.fakes.smtp import free_port
from tests.fakes.wechat_api import FakeWeChat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def standalone() -> AsyncIterator[str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.wechat_api", "--port", str(port), "--robot", "robot-1",
        "--limit", "webhook_send=5/2", cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20)
    assert b"fake WeChat API" in line
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(100):  # the banner is printed just before the socket is bound
            try:
                async with session.get(base + "/_fake/stats"):
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    yield base
    proc.terminate()
    await proc.wait()


def env(address: str, body: Mapping[str, object], channel: str, i: int = 0) -> Envelope:
    return Envelope(id=f"m{i}", channel=channel, address=address, kind="k", body=body, key=f"k{i}")


async def test_standalone_server_records_and_limits(standalone: str) -> None:
    http = Http()
    fake = FakeWeChat()  # same default credentials as the standalone one
    client = WeChatClient(http, standalone, fake.appid, fake.secret, MemoryTokenStore())
    cs = WeChatCsChannel(client)
    robot = WeComRobotChannel(http, standalone)
    async with aiohttp.ClientSession() as session:
        async with session.post(standalone + "/_fake/config", json={"unsubscribed": ["oGone"]}) as resp:
            assert resp.status == 200
        text = {"msgtype": "text", "text": {"content": "hello"}}
        assert (await cs.send(env("oUser1", text, "wechat_cs"))).outcome is Outcome.DELIVERED
        assert (await cs.send(env("oUser1", text, "wechat_cs"))).outcome is Outcome.DELIVERED  # a duplicate
        assert (await cs.send(env("oGone", text, "wechat_cs"))).outcome is Outcome.STOP
        md = {"msgtype": "markdown", "markdown": {"content": "x"}}
        outcomes = [(await robot.send(env("robot-1", md, "wecom_robot", i))).outcome for i in range(4)]
        assert outcomes.count(Outcome.DELIVERED) == 2 and outcomes.count(Outcome.RETRY) == 2  # burst 2
        async with session.get(standalone + "/_fake/stats") as resp:
            stats = await resp.json()
        async with session.get(standalone + "/_fake/deliveries", params={"since": "1"}) as resp:
            listing = await resp.json()
    await http.close()
    assert stats["by_api"] == {"custom_send": 2, "webhook_send": 2} and stats["duplicates"] == 2
    assert stats["answers"]["custom_send 43004"] == 1 and stats["answers"]["webhook_send 45009"] == 2
    assert stats["token_calls"] == {"stable_token": 1}
    assert listing["count"] == 4 and len(listing["deliveries"]) == 3 and listing["deliveries"][0]["msgid"]


async def test_blackhole_accepts_everything() -> None:
    hole = BlackholeChannel()
    attempts = [await hole.send(env("x", {}, "blackhole", i)) for i in range(3)]
    assert {a.outcome for a in attempts} == {Outcome.DELIVERED} and hole.count == 3
