"""A turn whose message was stored but whose process died (kill -9) before the case or the reply: WeChat's
retry takes the dead claim over and finishes the turn — one case, never two, and an answer; with no retry
(the callback had answered ``success`` already), the recovery walk (bot.wechat.recovery) finishes it.

The dead process is played by what it leaves behind: the stored message, its "running" claim naming a
lease that no longer renews, the resident's turn and, in the second case, the case it had opened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.keys import KV, RECORDER, WECHAT, WECHAT_REDELIVERY
from bot.wechat import recovery
from bot.wechat.redelivery import RUNNING
from bot.wechat.service import CHANNEL
from intake.arrivals import Received, arrive
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.grid.geodesy import wgs84_to_gcj02
from intake.grid.model import Datum
from intake.store.models import Case, InboundMessage
from tests.bot.wechat.test_callback_view import WeChat, _serve, empty_cell, location, said, text
from tests.conftest import Services

DEAD = RUNNING + ":deadbeef00000000"  # a lease id nobody renews


@pytest.fixture(scope="module", params=["memory", "redis"])
async def server(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[WeChat]:
    env = {"GRIDLINE_REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    client = await _serve(services, **env)
    assert client.app is not None
    yield WeChat(client, client.app[WECHAT], services)
    await client.close()


async def _confirming(wx: WeChat, svc: Services, openid: str, uid: str) -> None:
    assert "在哪里" in said(await wx.send(text(openid, "井盖丢了，很危险", wx.msg_id())))
    cell = await empty_cell(svc, int(uid, 16))
    assert "确认提交" in said(await wx.send(location(svc, openid, wx.msg_id(), cell)))


async def _died_after_storing(wx: WeChat, svc: Services, openid: str, msg_id: str) -> str:
    """What a process killed after storing the resident's "1" leaves: the message, its claim, the turn."""
    assert wx.client.app is not None
    key = f"msg:{msg_id}"
    raw = {"ToUserName": "gh_gridline0001", "FromUserName": openid, "CreateTime": str(int(time.time())),
           "MsgType": "text", "Content": "1", "MsgId": msg_id}  # as the callback stores it
    await arrive(CHANNEL, openid, Received(key, "text", "1", None, None, None, None, raw), svc.ctx.clock())
    await wx.client.app[KV].set(f"wx:msg:{key}", DEAD, 300)
    await wx.client.app[KV].set(f"wx:turn:{openid}", key, 30)
    return key


async def test_a_stored_one_without_a_case_is_finished_by_the_retry(server: WeChat, svc: Services, uid: str) -> None:
    openid, msg_id = f"h{uid}", server.msg_id()
    await _confirming(server, svc, openid, uid)
    await _died_after_storing(server, svc, openid, msg_id)
    answer = said(await asyncio.wait_for(server.send(text(openid, "1", msg_id)), 15))  # WeChat's retry
    cases = await Case.filter(reporter=openid)
    assert len(cases) == 1 and cases[0].case_no in answer and "诉求编号" in answer
    assert said(await server.send(text(openid, "1", msg_id))) == answer  # a later retry: the same answer
    assert await Case.filter(reporter=openid).count() == 1
    assert await InboundMessage.filter(external_id=openid).count() == 3  # every message stored once
    linked = await InboundMessage.get(dedup_key=f"msg:{msg_id}")
    assert linked.case_no == cases[0].case_no  # the message that opened the case names it


async def test_a_case_opened_before_the_kill_is_not_opened_again(server: WeChat, svc: Services, uid: str) -> None:
    openid, msg_id = f"k{uid}", server.msg_id()
    await _confirming(server, svc, openid, uid)
    key = await _died_after_storing(server, svc, openid, msg_id)
    opened = await open_case(svc.ctx, NewReport(CHANNEL, openid, "井盖丢了，很危险", source=key, datum=Datum.GCJ02))
    answer = said(await asyncio.wait_for(server.send(text(openid, "1", msg_id)), 15))
    assert opened.case.case_no in answer and "诉求编号" in answer  # the answer the dead process never sent
    assert await Case.filter(reporter=openid).count() == 1
    assert "在哪里" in said(await server.send(text(openid, "路灯坏了", server.msg_id())))  # the draft moved on


def _later(svc: Services) -> None:
    """Far past the shared database's other messages (every test starts at T0): the walk sees only this test's."""
    svc.clock.advance(days=4000 + int(time.time() * 1000) % 100_000)


async def test_with_no_retry_the_recovery_walk_finishes_the_turn(server: WeChat, svc: Services, uid: str) -> None:
    app = server.client.app
    assert app is not None
    openid, msg_id, live = f"r{uid}", server.msg_id(), f"l{uid}"
    _later(svc)
    await _confirming(server, svc, openid, uid)
    key = await _died_after_storing(server, svc, openid, msg_id)
    # A turn of this (live) process still running: the walk waits for it rather than taking it.
    await arrive(CHANNEL, live, Received(f"msg:{live}", "text", "路灯", None, None, None, None, {}), svc.ctx.clock())
    await app[KV].set(f"wx:msg:msg:{live}", RUNNING + ":" + app[WECHAT_REDELIVERY].lease, 300)
    assert await recovery.recover(app) == 0  # these messages are new to it: looked at on a later walk
    assert await Case.filter(reporter=openid).count() == 0
    svc.clock.advance(seconds=recovery.EVERY)
    assert await recovery.recover(app) == 1 and await recovery.recover(app) == 0  # once, not again
    cases = await Case.filter(reporter=openid)
    assert len(cases) == 1
    pushed = [n for n in app[RECORDER].sent if n.recipient.ref == openid and n.kind == "wechat.reply"]
    assert len(pushed) == 1 and cases[0].case_no in str(pushed[0].payload["text"])  # the resident is answered
    assert await app[KV].get(f"wx:msg:{key}") == ""  # a late retry: success (the answer went as a push)
    assert (await app[KV].get(f"wx:msg:msg:{live}") or "").startswith(RUNNING)  # the live turn: untouched
    answered = await InboundMessage.filter(external_id=openid).values_list("answered_at", flat=True)
    assert len(answered) == 3 and None not in answered  # every turn of the conversation marked over
    await app[KV].delete(f"wx:msg:msg:{live}")


async def test_after_an_empty_restart_an_older_half_done_turn_is_recovered(
        server: WeChat, svc: Services, uid: str) -> None:
    """Redis came back empty: the dead turn's claim, its resident's turn and draft went with it, and newer
    messages were answered since. The database still says which turn never ended: the resident is answered
    (the draft is gone, so no case can be opened from it; one the dead turn had opened is never opened twice)."""
    app = server.client.app
    assert app is not None
    openid, msg_id, other = f"e{uid}", server.msg_id(), f"n{uid}"
    _later(svc)
    await _confirming(server, svc, openid, uid)
    key = await _died_after_storing(server, svc, openid, msg_id)
    opened = await open_case(svc.ctx, NewReport(CHANNEL, openid, "井盖丢了，很危险", source=key, datum=Datum.GCJ02))
    svc.clock.advance(seconds=1)
    assert "在哪里" in said(await server.send(text(other, "路灯坏了", server.msg_id())))  # newer, answered
    for gone in (f"wx:msg:{key}", f"wx:turn:{openid}", f"wx:draft:{openid}"):  # what the empty restart lost
        await app[KV].delete(gone)
    svc.clock.advance(seconds=recovery.EVERY)
    assert await recovery.recover(app) == 0  # a live turn may still be running it: not yet
    svc.clock.advance(seconds=recovery.LOST_AFTER.total_seconds())
    assert await recovery.recover(app) == 1 and await recovery.recover(app) == 0
    pushed = [n for n in app[RECORDER].sent if n.recipient.ref == openid and n.kind == "wechat.reply"]
    assert len(pushed) == 1 and pushed[0].payload["text"]  # the resident is answered, once
    assert [c.case_no for c in await Case.filter(reporter=openid)] == [opened.case.case_no]
    assert (await InboundMessage.get(dedup_key=key)).answered_at is not None
    assert not [n for n in app[RECORDER].sent if n.recipient.ref == other and n.kind == "wechat.reply"]


async def _location_died(wx: WeChat, svc: Services, openid: str, uid: str, *, turn: bool) -> str:
    """What a process killed while answering the resident's location leaves: the message stored, its claim
    "running" under a dead lease and, while its TTL lasts, the resident's turn."""
    assert wx.client.app is not None
    assert "在哪里" in said(await wx.send(text(openid, "井盖丢了，很危险", wx.msg_id())))
    leaf = svc.ctx.grid.index.leaves[await empty_cell(svc, int(uid, 16))]
    lng, lat = wgs84_to_gcj02(*svc.ctx.grid.index.centroid(leaf.code))
    msg_id = wx.msg_id()
    key, raw = f"msg:{msg_id}", {"ToUserName": "gh_gridline0001", "FromUserName": openid,
                                 "CreateTime": str(int(time.time())), "MsgType": "location", "Location_X": str(lat),
                                 "Location_Y": str(lng), "Scale": "15", "Label": "测试地点", "MsgId": msg_id}
    await arrive(CHANNEL, openid, Received(key, "location", None, None, None, lat, lng, raw), svc.ctx.clock())
    await wx.client.app[KV].set(f"wx:msg:{key}", DEAD, 300)
    if turn:
        await wx.client.app[KV].set(f"wx:turn:{openid}", key, 30)
    return key


@pytest.mark.parametrize("turn", [True, False], ids=["turn-held", "turn-expired"])
async def test_the_next_message_finishes_a_dead_earlier_turn_first(
        server: WeChat, svc: Services, uid: str, turn: bool) -> None:
    """The resident confirms ("1") after the location's turn died half-done (its answer had gone out as
    ``success`` when the reply budget passed). Whoever holds the resident's turn finishes the earlier turn
    first, in order: the "1" then finds the location in the draft and opens the case — it neither waits for
    the dead turn's 30 s TTL nor, once that lapsed, runs ahead of it and asks for the location again."""
    app = server.client.app
    assert app is not None
    openid = f"o{uid}{int(turn)}"
    key = await _location_died(server, svc, openid, uid, turn=turn)
    answer = said(await asyncio.wait_for(server.send(text(openid, "1", server.msg_id())), 10))
    cases = await Case.filter(reporter=openid)
    assert len(cases) == 1 and cases[0].case_no in answer and cases[0].grid_code is not None
    pushed = [n for n in app[RECORDER].sent if n.recipient.ref == openid and n.kind == "wechat.reply"]
    assert len(pushed) == 1 and "确认提交" in str(pushed[0].payload["text"])  # the location's own answer
    assert (await InboundMessage.get(dedup_key=key)).answered_at is not None
    assert await app[KV].get(f"wx:msg:{key}") == ""  # its retries: success (the answer went as a push)


async def test_the_walk_leaves_a_dead_turn_to_the_residents_live_turn(server: WeChat, svc: Services, uid: str) -> None:
    """A live turn of the same resident holds the turn: it finishes the earlier dead turn itself, in order, so
    the walk must not take the dead claim and then wait behind it. Once no live turn holds it, the walk does."""
    app = server.client.app
    assert app is not None
    openid, live = f"w{uid}", f"msg:live-{uid}"
    _later(svc)
    key = await _location_died(server, svc, openid, uid, turn=False)
    await app[KV].set(f"wx:turn:{openid}", live, 30)
    await app[KV].set(f"wx:msg:{live}", RUNNING + ":" + app[WECHAT_REDELIVERY].lease, 300)
    svc.clock.advance(seconds=recovery.EVERY)
    assert await recovery.recover(app) == 0
    assert await app[KV].get(f"wx:msg:{key}") == DEAD  # not taken: the live turn's to finish
    await app[KV].set(f"wx:msg:{live}", "好的", 300)  # the live turn answered, but its end was lost: stale
    assert await recovery.recover(app) == 1
    assert (await InboundMessage.get(dedup_key=key)).answered_at is not None
    assert await app[KV].get(f"wx:turn:{openid}") is None  # the walk's turn ended with it
