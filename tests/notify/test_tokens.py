"""Access tokens: one contract over the in-memory and Redis stores; many processes, one token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from notify.http import Http, TransportError
from notify.tokens import AccessTokens, MemoryTokenStore, RedisTokenStore, TokenStore
from notify.wechat import TokenError, WeChatClient
from tests.notify.conftest import Api


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, name: str) -> AsyncIterator[TokenStore]:
    if request.param == "memory":
        yield MemoryTokenStore()
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisTokenStore(client, prefix=name + ":")
    await client.aclose()


class TestTokenStoreContract:
    async def test_put_get_expire(self, store: TokenStore) -> None:
        assert await store.get("a") is None
        await store.put("a", "t1", ttl_s=0.2)
        assert await store.get("a") == "t1"
        await asyncio.sleep(0.3)
        assert await store.get("a") is None

    async def test_drop_only_the_stale_value(self, store: TokenStore) -> None:
        await store.put("a", "new", ttl_s=60)
        assert await store.drop_if("a", "old") is False
        assert await store.get("a") == "new"
        assert await store.drop_if("a", "new") is True
        assert await store.get("a") is None

    async def test_lock_is_exclusive(self, store: TokenStore) -> None:
        inside: list[int] = []
        peak = 0

        async def hold(i: int) -> None:
            nonlocal peak
            async with store.lock("k", timeout_s=5):
                inside.append(i)
                peak = max(peak, len(inside))
                await asyncio.sleep(0.02)
                inside.remove(i)

        await asyncio.gather(*(hold(i) for i in range(5)))
        assert peak == 1

    async def test_lock_times_out(self, store: TokenStore) -> None:
        async with store.lock("k", timeout_s=5):
            with pytest.raises(TimeoutError):
                async with store.lock("k", timeout_s=0.2):
                    pass

    async def test_many_waiters_fetch_once(self, store: TokenStore) -> None:
        fetched: list[bool] = []

        async def fetch(force: bool) -> tuple[str, float]:
            fetched.append(force)
            await asyncio.sleep(0.05)
            return f"token{len(fetched)}", 7200.0

        # Several "processes": separate AccessTokens objects over one store.
        clients = [AccessTokens(store, "acct", fetch) for _ in range(6)]
        tokens = await asyncio.gather(*(c.get() for c in clients))
        assert set(tokens) == {"token1"} and fetched == [False]

    async def test_refresh_after_a_rejection_happens_once(self, store: TokenStore) -> None:
        fetched: list[bool] = []

        async def fetch(force: bool) -> tuple[str, float]:
            fetched.append(force)
            return f"token{len(fetched)}", 7200.0

        clients = [AccessTokens(store, "acct", fetch) for _ in range(4)]
        stale = await clients[0].get()
        # Every process saw the same token rejected; only the first refresh fetches.
        fresh = await asyncio.gather(*(c.refresh(stale) for c in clients))
        assert set(fresh) == {"token2"} and len(fetched) == 2

    async def test_force_when_the_server_repeats_the_rejected_token(self, store: TokenStore) -> None:
        calls: list[bool] = []

        async def fetch(force: bool) -> tuple[str, float]:
            calls.append(force)
            return ("same", 7200.0) if not force else ("forced", 7200.0)

        tokens = AccessTokens(store, "acct", fetch)
        assert await tokens.get() == "same"
        assert await tokens.refresh("same") == "forced" and calls == [False, False, True]


async def test_stable_token_is_shared_by_many_clients(api: Api) -> None:
    store = MemoryTokenStore()
    clients = [api.wechat(store) for _ in range(5)]
    tokens = await asyncio.gather(*(c.access_token() for c in clients))
    assert len(set(tokens)) == 1 and api.fake.token_calls == {"stable_token": 1}


async def test_stable_token_survives_a_plain_token_fetch_elsewhere(api: Api) -> None:
    api.fake.token_invalidates = True
    stable = await api.wechat().access_token()
    plain = await api.wechat(stable=False).access_token()  # someone else's tool using /cgi-bin/token
    await api.wechat(stable=False).access_token()
    assert stable in api.fake.tokens and plain not in api.fake.tokens


async def test_expired_token_is_refreshed_once_and_the_call_retried(api: Api) -> None:
    client = api.wechat()
    old = await client.access_token()
    api.fake.expire_tokens()
    reply = await client.post("/cgi-bin/message/custom/send",
                              {"touser": "oUser1", "msgtype": "text", "text": {"content": "hi"}})
    assert reply.ok and await client.access_token() != old
    assert api.fake.gate.answers["custom_send 42001"] == 1 and len(api.fake.deliveries) == 1


async def test_wrong_secret_is_a_token_error_with_the_code(api: Api) -> None:
    client = WeChatClient(api.http, api.base, api.fake.appid, "wrong", MemoryTokenStore())
    with pytest.raises(TokenError) as info:
        await client.access_token()
    assert info.value.errcode == 40125


async def test_wecom_token(api: Api) -> None:
    client = api.wecom()
    token = await client.access_token()
    assert token in api.fake.wecom_tokens and await client.access_token() == token
    assert api.fake.token_calls == {"wecom": 1}


async def test_unreachable_server_is_a_transport_error() -> None:
    http = Http(timeout_s=1.0)
    client = WeChatClient(http, "http://127.0.0.1:9", "wx", "s", MemoryTokenStore())
    with pytest.raises(TransportError):
        await client.access_token()
    await http.close()
