"""The HTTP seam against hostile or broken servers, and clients whose shared token store fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from redis.asyncio import Redis

from notify.channels.wechat import WeChatCsChannel
from notify.channels.wecom import WeComAppChannel
from notify.http import MAX_JSON, ApiReply, Blob, Http, TransportError
from notify.tokens import RedisTokenStore
from notify.types import Envelope, Outcome
from notify.wechat import WeChatClient
from tests.fakes.serving import serving
from tests.notify.conftest import Api


async def huge(request: web.Request) -> web.Response:
    return web.Response(body=b'{"errcode": 0, "pad": "' + b"x" * (MAX_JSON + 10) + b'"}',
                        content_type="application/json")


async def html_error(request: web.Request) -> web.Response:
    return web.Response(status=404, text="<html>not found</html>", content_type="text/html")


async def media(request: web.Request) -> web.Response:
    return web.Response(body=b"\xff\xd8" + b"0" * 5000, content_type="image/jpeg")


@pytest.fixture
async def odd() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/huge", huge)
    app.router.add_get("/html", html_error)
    app.router.add_get("/media", media)
    async with serving(app) as base:
        yield base


async def test_oversized_json_is_a_transport_error(odd: str) -> None:
    http = Http()
    with pytest.raises(TransportError):
        await http.call("GET", odd + "/huge")
    await http.close()


async def test_html_error_page_is_a_transport_error(odd: str) -> None:
    http = Http()
    with pytest.raises(TransportError) as info:
        await http.call("GET", odd + "/html")
    assert info.value.status == 404
    await http.close()


async def test_media_size_limit(odd: str) -> None:
    http = Http()
    assert isinstance(await http.fetch(odd + "/media"), Blob)
    with pytest.raises(TransportError):
        await http.fetch(odd + "/media", max_bytes=1000)
    await http.close()


async def test_missing_errcode_means_success(api: Api) -> None:
    reply = await api.http.call("GET", api.base + "/cgi-bin/token",
                                params={"grant_type": "client_credential", "appid": api.fake.appid,
                                        "secret": api.fake.secret})
    assert isinstance(reply, ApiReply) and reply.ok and "access_token" in reply.data


async def test_wecom_expired_token_is_refreshed(api: Api) -> None:
    client = api.wecom()
    channel = WeComAppChannel(client, agentid=api.fake.agentid)
    body = {"msgtype": "text", "text": {"content": "x"}}
    envelope = Envelope(id="1", channel="wecom_app", address="u1", kind="k", body=body, key="k")
    assert (await channel.send(envelope)).outcome is Outcome.DELIVERED
    api.fake.expire_tokens()
    assert (await channel.send(envelope)).outcome is Outcome.DELIVERED
    assert api.fake.token_calls["wecom"] == 2 and api.fake.gate.answers["wecom_send 42001"] == 1


async def test_token_store_down_is_a_retry(api: Api) -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    client = WeChatClient(api.http, api.base, api.fake.appid, api.fake.secret, RedisTokenStore(dead))
    envelope = Envelope(id="1", channel="wechat_cs", address="o1", kind="k",
                        body={"msgtype": "text", "text": {"content": "x"}}, key="k")
    attempt = await WeChatCsChannel(client).send(envelope)
    assert attempt.outcome is Outcome.RETRY and "token store" in attempt.detail
    await dead.aclose()


async def test_download_reads_bodies_and_refuses_errors_and_oversize(odd: str) -> None:
    http = Http()
    assert (await http.download(odd + "/media", max_bytes=10_000)).startswith(b"\xff\xd8")
    with pytest.raises(TransportError) as info:
        await http.download(odd + "/html", max_bytes=10_000)
    assert info.value.status == 404
    with pytest.raises(TransportError):
        await http.download(odd + "/media", max_bytes=1000)
    with pytest.raises(TransportError):
        await http.download("http://127.0.0.1:9/feed", max_bytes=1000)
    await http.close()
