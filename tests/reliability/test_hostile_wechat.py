"""Hostile WeChat messages with a fixed seed: never a 5xx, nothing stored over its column's length."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from intake import bounds
from intake.store.models import InboundMessage
from tests.bot.wechat import signing
from tests.bot.wechat.test_callback_view import WeChat, wechat_server, wx  # noqa: F401
from tests.reliability.bombs import hostile_strings

pytestmark = pytest.mark.reliability
COUNT, SEED = 120, 18
FIELDS = ("FromUserName", "MsgId", "Content", "MediaId", "PicUrl", "Label", "EventKey", "Event", "MsgType",
          "Recognition", "Location_X", "CreateTime")
_n = itertools.count()


async def test_hostile_messages_never_500(wx: WeChat) -> None:  # noqa: F811
    rng = random.Random(SEED)
    prefix = f"hostile{int(time.time())}x"
    values = hostile_strings(rng, COUNT)
    fivexx = []
    for value in values:
        field = rng.choice(FIELDS)
        fields: dict[str, str | int | float] = {
            "ToUserName": "gh_gridline0001", "FromUserName": f"{prefix}{next(_n)}", "CreateTime": int(time.time()),
            "MsgType": rng.choice(["text", "image", "location", "event", "voice"]), "Content": "路灯坏了",
            "MsgId": wx.msg_id(), "Location_X": 22.5, "Location_Y": 114.5, "Label": "x", "Event": "subscribe"}
        if field == "FromUserName":
            value = fields["FromUserName"] + value  # type: ignore[operator]
        fields[field] = value.replace("]]>", "")  # CDATA cannot carry it; WeChat never sends it raw
        status, body = await wx.post(wx.request(signing.message_xml(fields), "plain"))
        if status >= 500:
            fivexx.append((field, len(value), body[:80]))
    assert fivexx == []
    for row in await InboundMessage.filter(external_id__startswith=prefix).values(*bounds.limits(InboundMessage)):
        for name, bound in bounds.limits(InboundMessage).items():
            assert row[name] is None or len(row[name]) <= bound
