"""The 公众号 custom menu (自定义菜单): its JSON, and creating it through WeChat's API.

Creating needs the AppSecret; the call goes through notify's WeChat client like every other.
"""

from __future__ import annotations

import json
from typing import Any

from notify.http import Http
from notify.tokens import MemoryTokenStore, TokenStore
from notify.wechat import ApiError, WeChatClient

__all__ = ["MENU", "ApiError", "create_menu", "menu_json"]

MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "我要反映", "key": "REPORT"},
        {"type": "click", "name": "我的诉求", "key": "MY_CASES"},
        {"name": "服务", "sub_button": [
            {"type": "click", "name": "预警订阅", "key": "ALERTS"},
            {"type": "location_select", "name": "发送位置", "key": "SEND_LOCATION"},
            {"type": "click", "name": "使用帮助", "key": "HELP"},
        ]},
    ]
}


def menu_json() -> str:
    return json.dumps(MENU, ensure_ascii=False, indent=2)


async def create_menu(api_base: str, appid: str, secret: str, tokens: TokenStore | None = None,
                      limit_s: float = 10.0) -> None:
    """``cgi-bin/menu/create`` through the one WeChat client; raises :class:`ApiError` on a non-zero errcode.

    ``tokens``: the shared token store when the deployment has one (Redis), so this one-off command
    reuses the senders' token instead of fetching its own.
    """
    http = Http(timeout_s=limit_s)
    try:
        client = WeChatClient(http, api_base, appid, secret, tokens or MemoryTokenStore())
        await client.create_menu(MENU)
    finally:
        await http.close()
