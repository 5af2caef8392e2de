"""The calls whose answers the caller reads: mini-program login and phone number, the 公众号 menu.

Against the fake WeChat server; errors come back as :class:`ApiError` with WeChat's errcode.
"""

from __future__ import annotations

import pytest

from notify.tokens import MemoryTokenStore
from notify.wechat import ApiError, Login, WeChatClient
from tests.notify.conftest import Api


async def test_code_to_session_once_per_code(api: Api) -> None:
    client = api.wechat()
    code = api.fake.login_code("oLogin1", unionid="uLogin1")
    found = await client.code_to_session(code)
    assert found == Login("oLogin1", api.fake.sessions["oLogin1"], "uLogin1")
    with pytest.raises(ApiError) as info:
        await client.code_to_session(code)
    assert info.value.errcode == 40163  # the code was used
    with pytest.raises(ApiError) as info:
        await client.code_to_session("never-issued")
    assert info.value.errcode == 40029


async def test_code_to_session_with_a_wrong_secret_keeps_the_code(api: Api) -> None:
    client = WeChatClient(api.http, api.base, api.fake.appid, "wrong", MemoryTokenStore())
    with pytest.raises(ApiError) as info:
        await client.code_to_session(api.fake.login_code("oLogin2"))
    assert info.value.errcode == 40125 and "wrong" not in str(info.value)


async def test_phone_number_refreshes_a_stale_token_once(api: Api) -> None:
    tokens = MemoryTokenStore()
    client = api.wechat(tokens)
    await tokens.put(f"wechat:{api.fake.appid}", "stale", 600)
    assert await client.phone_number(api.fake.phone_code("13800001234")) == "13800001234"
    assert api.fake.calls == ["getuserphonenumber", "getuserphonenumber"]
    with pytest.raises(ApiError) as info:
        await client.phone_number("not-a-phone-code")
    assert info.value.errcode == 40029


async def test_busy_and_unreachable_are_minus_one(api: Api) -> None:
    api.fake.fail_next.append(-1)
    with pytest.raises(ApiError) as info:
        await api.wechat().code_to_session(api.fake.login_code("oLogin3"))
    assert info.value.errcode == -1
    gone = WeChatClient(api.http, "http://127.0.0.1:9", api.fake.appid, api.fake.secret, MemoryTokenStore())
    with pytest.raises(ApiError) as info:
        await gone.code_to_session("abc")
    assert info.value.errcode == -1


async def test_create_menu_sends_names_unescaped(api: Api) -> None:
    menu = {"button": [{"type": "click", "name": "我要反映", "key": "REPORT"}]}
    await api.wechat().create_menu(menu)
    assert api.fake.menus == [menu]
    with pytest.raises(ApiError) as info:
        await api.wechat().create_menu({"button": []})
    assert info.value.errcode == 40016
