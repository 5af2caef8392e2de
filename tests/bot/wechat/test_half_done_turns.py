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



async def test_with_no_retry_the_recovery_walk_finishes_the_turn(server: WeChat, svc: Services, uid: str) -> None:
    app = server.client.app
    assert app is not None
    openid, msg_id, live = f"r{uid}", server.msg_id(), f"l{uid}"
    # The shared Redis holds the place of other tests' databases; an unreadable one counts as never walked.
    await app[KV].set(recovery.PLACE, "not-a-place", 300)
    assert await recovery.recover(app) == 0  # the walk starts from the newest message
    await _confirming(server, svc, openid, uid)
    key = await _died_after_storing(server, svc, openid, msg_id)
    # A turn of this (live) process still running: the walk waits for it rather than taking it.
    await arrive(CHANNEL, live, Received(f"msg:{live}", "text", "路灯", None, None, None, None, {}), svc.ctx.clock())
    await app[KV].set(f"wx:msg:msg:{live}", RUNNING + ":" + app[WECHAT_REDELIVERY].lease, 300)
    await recovery.recover(app)  # these messages are new to it: looked at on the next walk
    assert await Case.filter(reporter=openid).count() == 0
    assert await recovery.recover(app) == 1 and await recovery.recover(app) == 0  # once, not again
    cases = await Case.filter(reporter=openid)
    assert len(cases) == 1
    pushed = [n for n in app[RECORDER].sent if n.recipient.ref == openid and n.kind == "wechat.reply"]
    assert len(pushed) == 1 and cases[0].case_no in str(pushed[0].payload["text"])  # the resident is answered
    assert await app[KV].get(f"wx:msg:{key}") == ""  # a late retry: success (the answer went as a push)
    assert (await app[KV].get(f"wx:msg:msg:{live}") or "").startswith(RUNNING)  # the live turn: untouched
    await app[KV].delete(f"wx:msg:msg:{live}")
