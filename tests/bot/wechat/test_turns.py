"""One resident's concurrent callbacks take turns; a message that could not be stored can be delivered again.

Run against both stores (in-process and Redis): the turn is taken in the same round trip as the
nonce check and the redelivery claim, and ended in the same round trip as the reply and the draft.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.keys import KV, SETTINGS, WECHAT, WECHAT_DIALOGUE
from bot.wechat import service, view
from bot.wechat.draft import DraftStore
from bot.wechat.outbox_dialogue import OutboxDialogue
from bot.wechat.redelivery import GIVEN_BACK, RUNNING, TAKEN_OVER, Admission, Redelivery
from intake.store.models import InboundMessage
from tests.bot.wechat import signing
from tests.bot.wechat.test_callback_view import WeChat, _serve, text
from tests.conftest import Services


@pytest.fixture(scope="module", params=["memory", "redis"])
async def server(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[WeChat]:
    env = {"GRIDLINE_REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    client = await _serve(services, **env)
    assert client.app is not None
    yield WeChat(client, client.app[WECHAT], services)
    await client.close()


@pytest.fixture
def wx(server: WeChat, svc: Services) -> WeChat:
    return server


def image(openid: str, n: int, msg_id: str) -> str:
    return signing.message_xml({"ToUserName": "gh_gridline0001", "FromUserName": openid,
                                "CreateTime": int(time.time()), "MsgType": "image",
                                "PicUrl": f"https://mmbiz.qpic.cn/p{n}.jpg", "MediaId": f"media{n}{msg_id}",
                                "MsgId": msg_id})


def drafts(wx: WeChat) -> DraftStore:
    assert wx.client.app is not None
    return DraftStore(wx.client.app[KV])


async def test_photos_picked_at_once_are_all_kept(wx: WeChat, uid: str) -> None:
    openid = f"burst{uid}"
    await wx.send(text(openid, "小区门口垃圾堆了好几天", wx.msg_id()))
    replies = await asyncio.gather(*(wx.post(wx.request(image(openid, n, wx.msg_id()), "plain")) for n in range(6)))
    assert all(status == 200 for status, _ in replies)
    draft = await drafts(wx).load(openid)
    assert len(draft.photos) == 6 and draft.texts == ["小区门口垃圾堆了好几天"]
    assert await InboundMessage.filter(external_id=openid, kind="image").count() == 6


async def test_a_message_waits_for_the_residents_turn(wx: WeChat, uid: str) -> None:
    openid = f"turn{uid}"
    assert wx.client.app is not None
    kv = wx.client.app[KV]
    await kv.set(f"wx:turn:{openid}", "another message", 10)  # another callback of theirs is running
    sending = asyncio.create_task(wx.send(text(openid, "路灯不亮", wx.msg_id())))
    await asyncio.sleep(0.3)
    assert not sending.done() and (await drafts(wx).load(openid)).texts == []
    assert await InboundMessage.filter(external_id=openid).count() == 1  # stored at once, answered in turn
    await kv.delete(f"wx:turn:{openid}")
    assert "在哪里" in await asyncio.wait_for(sending, 5)
    assert (await drafts(wx).load(openid)).texts == ["路灯不亮"]
    assert await kv.get(f"wx:turn:{openid}") is None  # ended with the reply


class FailingOnce(OutboxDialogue):
    failed = False
    # Not the database away (that is tried again within the request: the test after this one): a failure
    # the request cannot get past, answered 500 with the claim given back.
    error: Exception = RuntimeError("storing failed")

    async def arrive(self, msg, dedup_key, raw):  # type: ignore[no-untyped-def]
        if not FailingOnce.failed:
            FailingOnce.failed = True
            raise FailingOnce.error
        return await super().arrive(msg, dedup_key, raw)


async def test_a_message_that_could_not_be_stored_is_taken_on_redelivery(wx: WeChat, uid: str) -> None:
    assert wx.client.app is not None
    app, openid = wx.client.app, f"down{uid}"
    working = app[WECHAT_DIALOGUE]
    with pytest.warns(DeprecationWarning):  # swapping a collaborator of a running app, on purpose
        app[WECHAT_DIALOGUE] = FailingOnce(working.ctx, working.drafts, working.router)
    FailingOnce.failed = False
    try:
        request = wx.request(text(openid, "井盖丢了", wx.msg_id()), "plain")
        status, _ = await wx.post(request)
        assert status == 500 and await InboundMessage.filter(external_id=openid).count() == 0
        status, body = await wx.post(request)  # WeChat's redelivery: same message, same nonce
        assert status == 200 and "在哪里" in body
        assert await InboundMessage.filter(external_id=openid).count() == 1
        assert await app[KV].get(f"wx:turn:{openid}") is None
    finally:
        with pytest.warns(DeprecationWarning):
            app[WECHAT_DIALOGUE] = working



class Stalled(OutboxDialogue):
    """The first delivery's store hangs (its process stalled, about to be killed)."""
    stall = asyncio.Event()
    first = True

    async def arrive(self, msg, dedup_key, raw):  # type: ignore[no-untyped-def]
        if Stalled.first:
            Stalled.first = False
            await Stalled.stall.wait()
        return await super().arrive(msg, dedup_key, raw)


async def test_a_retry_answers_success_only_once_the_message_is_stored(wx: WeChat, uid: str) -> None:
    """The first delivery has stored nothing within the reply budget: the retry stores the message before it
    answers ``success`` (a kill -9 of the stalled process lost messages WeChat had been told were received).
    The first delivery, when it goes on, still runs the turn: the resident is answered once."""
    assert wx.client.app is not None
    app, openid = wx.client.app, f"slow{uid}"
    working = app[WECHAT_DIALOGUE]
    with pytest.warns(DeprecationWarning):  # swapping a collaborator of a running app, on purpose
        app[WECHAT_DIALOGUE] = Stalled(working.ctx, working.drafts, working.router)
    Stalled.first, Stalled.stall = True, asyncio.Event()
    try:
        xml = text(openid, "井盖丢了", wx.msg_id())
        first = asyncio.create_task(wx.post(wx.request(xml, "plain")))
        await asyncio.sleep(0.2)
        assert await wx.post(wx.request(xml, "plain")) == (200, "success")  # after the budget
        assert await InboundMessage.filter(external_id=openid).count() == 1  # stored by the retry
        Stalled.stall.set()
        status, body = await asyncio.wait_for(first, 10)
        assert status == 200 and "在哪里" in body  # the turn ran, in time for the first delivery's own answer
        assert (await InboundMessage.get(external_id=openid)).answered_at is not None
        assert (await drafts(wx).load(openid)).texts == ["井盖丢了"]
    finally:
        Stalled.stall.set()
        with pytest.warns(DeprecationWarning):
            app[WECHAT_DIALOGUE] = working


async def test_a_claim_whose_process_died_is_taken_over_by_the_retry(wx: WeChat, uid: str) -> None:
    """kill -9 between claiming and storing left the claim "running": every retry was answered success and
    the message was never stored. The claim names its process's lease; a retry finding it gone takes over."""
    openid, msg_id = f"dead{uid}", wx.msg_id()
    assert wx.client.app is not None
    kv = wx.client.app[KV]
    key = f"msg:{msg_id}"
    await kv.set(f"wx:msg:{key}", RUNNING + ":deadbeef00000000", 300)  # the killed process's claim …
    await kv.set(f"wx:turn:{openid}", key, 30)  # … and its resident's turn; its lease has expired
    answer = await asyncio.wait_for(wx.send(text(openid, "路灯不亮", msg_id)), 10)
    assert "在哪里" in answer
    assert await InboundMessage.filter(external_id=openid).count() == 1


async def test_a_database_away_for_a_moment_is_tried_again_within_the_request(wx: WeChat, uid: str) -> None:
    assert wx.client.app is not None
    app, openid = wx.client.app, f"blip{uid}"
    working = app[WECHAT_DIALOGUE]
    with pytest.warns(DeprecationWarning):  # swapping a collaborator of a running app, on purpose
        app[WECHAT_DIALOGUE] = FailingOnce(working.ctx, working.drafts, working.router)
    FailingOnce.failed, FailingOnce.error = False, ConnectionError("database went away")
    try:
        status, body = await wx.post(wx.request(text(openid, "井盖丢了", wx.msg_id()), "plain"))
        assert FailingOnce.failed and status == 200 and "在哪里" in body  # stored on the second try, answered
        assert await InboundMessage.filter(external_id=openid).count() == 1
    finally:
        FailingOnce.error = RuntimeError("storing failed")
        with pytest.warns(DeprecationWarning):
            app[WECHAT_DIALOGUE] = working


async def test_a_live_owners_claim_is_not_taken_over(wx: WeChat, uid: str) -> None:
    key = f"msg:live-owner-{uid}"
    assert wx.client.app is not None
    kv = wx.client.app[KV]
    owner, retry = Redelivery(kv), Redelivery(kv)
    await owner.renew()
    assert await owner.admit(uid + "n1", 1, key, "oLive" + uid) is Admission.FIRST
    assert await retry.admit(uid + "n2", 1, key, "oLive" + uid) is Admission.REDELIVERY
    assert await retry.wait_for_reply(key, "oLive" + uid, 0.2) is None  # alive: wait, then success
    await kv.delete(f"wx:lease:{owner.lease}")  # the owner died; its lease lapsed
    late, later = Redelivery(kv), Redelivery(kv)
    await late.renew()
    await later.renew()
    taken = await asyncio.gather(late.wait_for_reply(key, "oLive" + uid, 0.2),
                                 later.wait_for_reply(key, "oLive" + uid, 0.2))
    assert sorted(t or "" for t in taken) == ["", TAKEN_OVER]  # exactly one retry takes it


async def test_a_claim_given_back_unstored_is_taken_by_a_waiting_retry(wx: WeChat, uid: str) -> None:
    """The first delivery could not store the message (the database restarting) and gave its claim back: a
    retry waiting for its reply stores the message itself rather than answer ``success`` for nothing stored."""
    key, resident = f"msg:given-back-{uid}", "oBack" + uid
    assert wx.client.app is not None
    kv = wx.client.app[KV]
    owner, retry, other = Redelivery(kv), Redelivery(kv), Redelivery(kv)
    for process in (owner, retry, other):
        await process.renew()
    assert await owner.admit(uid + "n1", 1, key, resident) is Admission.FIRST
    assert await retry.admit(uid + "n2", 1, key, resident) is Admission.REDELIVERY
    waiting = asyncio.gather(retry.wait_for_reply(key, resident, 2), other.wait_for_reply(key, resident, 2))
    await asyncio.sleep(0.1)
    await owner.release(key, resident, claim=True)
    assert sorted(t or "" for t in await asyncio.wait_for(waiting, 5)) == ["", GIVEN_BACK]  # one retry takes it
    assert (await kv.get(f"wx:msg:{key}") or "").startswith(RUNNING)


async def test_while_the_database_is_away_the_callback_answers_503_and_the_retry_stores(
        wx: WeChat, uid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL restart, played by the store refusing connections (bench/pg_restart.py restarts a real
    cluster): the callback tries again within its budget, then answers 503 with the claim given back; WeChat's
    retry, once the database is back, stores the message and is answered."""
    assert wx.client.app is not None
    openid, msg_id, stored = f"oAway{uid}", wx.msg_id(), service.arrive
    tries = 0

    async def away(*args: object) -> object:
        nonlocal tries
        tries += 1
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(view, "AWAY_RETRY_S", 0.05)
    monkeypatch.setattr(view, "AWAY_MARGIN_S", wx.client.app[SETTINGS].wechat.reply_budget_s - 0.2)
    monkeypatch.setattr(service, "arrive", away)
    status, body = await wx.post(wx.request(text(openid, "路灯不亮", msg_id), "plain"))
    assert status == 503 and "unavailable" in body and tries >= 2  # tried again before answering
    assert await InboundMessage.filter(external_id=openid).count() == 0
    monkeypatch.setattr(service, "arrive", stored)  # the database is back
    assert "在哪里" in await asyncio.wait_for(wx.send(text(openid, "路灯不亮", msg_id)), 10)
    assert await InboundMessage.filter(external_id=openid).count() == 1


async def test_a_dead_claim_is_taken_over_once_within_one_process(wx: WeChat, uid: str) -> None:
    """A retry and the recovery walk of one process after the same dead claim: one of them runs the turn (both
    used to read back the process's own claim value and both ran it: two cases in bench/kill9.py)."""
    assert wx.client.app is not None
    kv, key = wx.client.app[KV], f"msg:dead-twice-{uid}"
    dead = RUNNING + ":deadbeef00000000"
    await kv.set(f"wx:msg:{key}", dead, 300)
    process = Redelivery(kv)
    await process.renew()
    taken = await asyncio.gather(process.take_over(key, dead), process.take_over(key, dead))
    assert sorted(taken) == [False, True]
    await process.release(key, "oDead" + uid, claim=True)  # the taker's claim, given back
    assert await kv.get(f"wx:msg:{key}") is None
