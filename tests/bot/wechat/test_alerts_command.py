"""``ALERTS`` / ``预警`` in the 公众号: the resident's alert places and the warnings in force over them."""

from __future__ import annotations

from datetime import timedelta

from bot.keys import ALERTS
from intake.alerts.area import Area
from intake.alerts.compose import AdminAlert, compose
from intake.store.models import AlertPlace, Resident
from intake.store.models_alerts import Alert
from tests.bot.wechat.test_callback_view import WeChat, location, text, wechat_server, wx  # noqa: F401 (fixtures)


async def test_alerts_command_binds_lists_and_shows_warnings(wx: WeChat, uid: str) -> None:  # noqa: F811
    openid = f"o-alerts-{uid}"
    first = await wx.send(text(openid, "预警", wx.msg_id()))
    assert "还没有" in first or "尚未" in first or "no place" in first, first
    assert "警告" not in first and "生效" not in first
    bound = await wx.send(location(wx.svc, openid, wx.msg_id()))  # the next location becomes the home place
    resident = await Resident.get(channel="wechat", external_id=openid)
    assert resident.home_grid is not None and bound
    home = wx.svc.ctx.grid.index.cell(resident.home_grid)

    quiet = await wx.send(text(openid, "ALERTS", wx.msg_id()))
    assert home.name in quiet and "No w" in quiet, quiet  # typed in English, answered in English (#16)

    service = wx.client.app[ALERTS]
    now = wx.svc.clock()
    draft = compose(AdminAlert("暴雨", "orange", Area(grids=(home.code,)), f"强降雨 {uid}", "避免外出", None,
                               "test"), service.catalogue, now)
    issued = await service.receive(draft)
    assert issued.action == "issued" and issued.cells == 1
    work = next(c for c in wx.svc.ctx.grid.index.leaves if c.code != home.code)
    await AlertPlace.create(openid=openid, kind="work", label="单位", lat=0.0, lng=0.0, grid_code=work.code,
                            updated_at=now)
    shown = await wx.send(text(openid, "预警", wx.msg_id()))
    assert f"单位：{work.name}" in shown and "暴雨橙色预警" in shown and f"强降雨 {uid}" in shown, shown

    expired = compose(AdminAlert("大风", "blue", Area(grids=(home.code,)), f"旧预警 {uid}", None,
                                 now + timedelta(minutes=1), "test"), service.catalogue, now)
    await service.receive(expired)
    wx.svc.clock.advance(minutes=2)
    try:
        later = await wx.send(text(openid, "预警", wx.msg_id()))
    finally:
        wx.svc.clock.advance(minutes=-2)
    assert f"旧预警 {uid}" not in later and f"强降雨 {uid}" in later
    await service.cancel(await Alert.get(id=issued.alert_id))
    after = await wx.send(text(openid, "預警", wx.msg_id()))
    assert f"强降雨 {uid}" not in after and f"旧预警 {uid}" in after, after  # the clock is back before expiry
