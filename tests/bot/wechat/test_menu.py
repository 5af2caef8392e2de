"""``gridline wechat menu`` against the local fake WeChat API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.commands import wechat_menu
from bot.settings import load_settings
from bot.wechat.menu import MENU, ApiError, create_menu
from tests.fakes.serving import serving
from tests.fakes.wechat_api import FakeWeChat


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeWeChat, str]]:
    wechat = FakeWeChat()
    async with serving(wechat.app()) as base:
        yield wechat, base


def test_menu_has_the_documented_keys() -> None:
    buttons = [*MENU["button"], *(s for b in MENU["button"] for s in b.get("sub_button", []))]
    keys = {b.get("key") for b in buttons}
    assert {"REPORT", "MY_CASES", "ALERTS", "HELP"} <= keys
    assert len(MENU["button"]) <= 3  # WeChat allows at most three top-level buttons


async def test_create_menu_through_the_api(fake: tuple[FakeWeChat, str]) -> None:
    wechat, base = fake
    await create_menu(base, wechat.appid, wechat.secret)
    assert wechat.menus == [MENU]


async def test_wrong_secret_is_reported_with_wechats_code(fake: tuple[FakeWeChat, str]) -> None:
    wechat, base = fake
    with pytest.raises(ApiError) as info:
        await create_menu(base, wechat.appid, "wrong")
    assert info.value.errcode == 40125 and not wechat.menus


async def test_command_prints_and_creates(fake: tuple[FakeWeChat, str], capsys: pytest.CaptureFixture[str]) -> None:
    wechat, base = fake
    settings = load_settings({"GRIDLINE_WECHAT_APPID": wechat.appid, "GRIDLINE_WECHAT_SECRET": wechat.secret,
                              "GRIDLINE_WECHAT_API_BASE": base})
    assert await wechat_menu(settings) == 0
    out = capsys.readouterr().out
    assert "我要反映" in out and "menu created" in out and len(wechat.menus) == 1


async def test_command_without_credentials_only_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert await wechat_menu(load_settings({})) == 0
    assert "not created" in capsys.readouterr().out
