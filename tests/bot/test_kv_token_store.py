"""The web app's token store (on the key-value store) keeps notify's TokenStore contract, and with Redis
it shares its keys and lock with notify's RedisTokenStore: the mini-program and the senders hold one token."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

import tests.notify.test_tokens as contract
from bot.storage.memory import MemoryStore
from bot.storage.redis import RedisStore
from bot.storage.tokens import KvTokenStore
from notify.tokens import RedisTokenStore, TokenStore


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[TokenStore]:
    kv = MemoryStore() if request.param == "memory" else \
        RedisStore(request.getfixturevalue("redis_url"), prefix=f"test:{uuid.uuid4().hex}:")
    yield KvTokenStore(kv)
    await kv.close()


class TestKvTokenStore(contract.TestTokenStoreContract):
    """Every contract test, run on :class:`KvTokenStore` (the ``store`` fixture above)."""


async def test_shares_keys_and_lock_with_the_senders_store(redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    kv, client = RedisStore(redis_url, prefix=prefix), Redis.from_url(redis_url)
    ours, senders = KvTokenStore(kv), RedisTokenStore(client, prefix=prefix + "token:")
    await senders.put("wechat:wx1", "t1", 60)
    assert await ours.get("wechat:wx1") == "t1"
    assert await ours.drop_if("wechat:wx1", "t1") and await senders.get("wechat:wx1") is None
    async with senders.lock("wechat:wx1", timeout_s=5):
        with pytest.raises(TimeoutError):
            async with ours.lock("wechat:wx1", timeout_s=0.2):
                pass
    async with ours.lock("wechat:wx1", timeout_s=1):
        with pytest.raises(TimeoutError):
            async with senders.lock("wechat:wx1", timeout_s=0.2):
                pass
    await kv.close()
    await client.aclose()
