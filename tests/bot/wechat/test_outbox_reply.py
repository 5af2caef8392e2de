"""Through the 公众号 callback: the reply itself tells the resident (never twice); writing releases held messages."""

from __future__ import annotations

from datetime import timedelta

from bot.keys import CASES, OUTBOUND
from intake.store.models import Case, Resident
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from notify.types import Notification, Recipient
from tests.bot.wechat.test_callback_view import WeChat, location, text, wechat_server, wx

__all__ = ["wechat_server", "wx"]  # the callback tests' server, shared


async def test_the_case_number_in_the_reply_is_not_sent_again(wx: WeChat, uid: str) -> None:
    openid = f"pr{uid}"
    await wx.send(text(openid, "小区路灯坏了，晚上很黑", wx.msg_id()))
    await wx.send(location(wx.svc, openid, wx.msg_id()))
    done = await wx.send(text(openid, "1", wx.msg_id()))
    case = await Case.get(reporter=openid)
    assert case.case_no in done
    opened = await OutboxMessage.get(case_no=case.case_no, kind="case.open")
    assert (opened.status, opened.channel, opened.recipient_ref) == ("delivered", "passive_reply", openid)
    outcomes = await OutboxAttempt.filter(message_id=opened.id).values_list("outcome", flat=True)
    assert [str(o) for o in outcomes] == ["reply"]


async def test_writing_again_releases_what_was_held(wx: WeChat, uid: str) -> None:
    openid = f"hold{uid}"
    now = wx.svc.clock.now
    await Resident.create(channel="wechat", external_id=openid, last_seen_at=now - timedelta(hours=60))
    app = wx.client.app
    assert app is not None
    await app[CASES].notifier.publish([Notification("case.close", Recipient("resident", openid, "wechat"),
                                                    f"held{uid}", payload={"note": "修好了"})])
    store = app[OUTBOUND].store
    held = await OutboxMessage.get(key=f"held{uid}")
    await store.route_pending(now, only=[held.id])
    assert (await OutboxMessage.get(key=f"held{uid}")).status == "held"
    # The hint their next message reads (with the statement that stores it) instead of asking the outbox.
    assert (await Resident.get(channel="wechat", external_id=openid)).outbox_held
    await wx.send(text(openid, "帮助", wx.msg_id()))
    assert not (await Resident.get(channel="wechat", external_id=openid)).outbox_held
    await store.route_pending(now, only=[held.id])
    after = await OutboxMessage.get(key=f"held{uid}")
    assert (after.status, after.channel) == ("pending", "wechat_cs")
    outcomes = await OutboxAttempt.filter(message_id=held.id).order_by("id").values_list("outcome", flat=True)
    assert [str(o) for o in outcomes] == ["hold", "release", "cs"]
