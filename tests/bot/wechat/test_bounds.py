"""Every stored string has a bound: limits generated from the models, one value over each through /wechat.

A 129-character ``FromUserName`` or a 201-character ``MsgId`` hit a PostgreSQL column-length error (a 500);
SQLite stored them silently. Now: never a 5xx, and nothing stored over its column's length.
"""

from __future__ import annotations

import itertools
import time

from tortoise import Tortoise

from intake import bounds
from intake.store.db import APP
from intake.store.models import InboundMessage, Resident
from tests.bot.wechat import signing
from tests.bot.wechat.test_callback_view import WeChat, wechat_server, wx  # noqa: F401

_n = itertools.count()
FIELDS = ("FromUserName", "ToUserName", "MsgId", "MediaId", "PicUrl", "Label", "EventKey", "Content", "MsgType")


def every_limit() -> list[int]:
    """The distinct ``max_length`` of every model's string fields."""
    return sorted({n for model in Tortoise.apps[APP].values() for n in bounds.limits(model).values()})


def message(field: str, value: str, openid: str, msg_id: str) -> str:
    base: dict[str, str | int | float] = {
        "ToUserName": "gh_gridline0001", "FromUserName": openid, "CreateTime": int(time.time()),
        "MsgType": "text", "Content": "路灯坏了", "MsgId": msg_id}
    if field in ("MediaId", "PicUrl"):
        base.update(MsgType="image", MediaId="media0001", PicUrl="http://mmbiz.qpic.cn/x")
    elif field == "Label":
        base.update(MsgType="location", Location_X=22.55, Location_Y=114.5, Scale=15, Label="x")
    elif field == "EventKey":
        base.update(MsgType="event", Event="subscribe", EventKey="qrscene_1")
        del base["MsgId"], base["Content"]
    base[field] = value
    return signing.message_xml(base)


async def test_one_over_each_model_limit_through_the_callback(wx: WeChat) -> None:  # noqa: F811
    limits = every_limit()
    assert 128 in limits and 200 in limits and len(limits) >= 8  # generated, not hand-picked
    prefix = f"bound{int(time.time())}x"
    statuses = []
    for field, limit in itertools.product(FIELDS, limits):
        openid = f"{prefix}{next(_n)}"
        value = (openid + "x" * limit) if field == "FromUserName" else ("9" * (limit + 1))
        status, body = await wx.post(wx.request(message(field, value, openid, wx.msg_id()), "plain"))
        statuses.append((field, limit, status))
        assert status < 500, (field, limit, body)
    for model in (InboundMessage, Resident):
        rows = await model.filter(external_id__startswith=prefix).values(*bounds.limits(model))
        assert rows  # the ordinary-length ones were stored
        for row in rows:
            for name, bound in bounds.limits(model).items():
                assert row[name] is None or len(row[name]) <= bound, (model.__name__, name)
