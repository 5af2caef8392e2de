"""The 公众号 custom menu (自定义菜单): its JSON, and creating it through WeChat's API.

Creating needs the AppSecret. This is a one-off admin command, so it fetches a
fresh ``access_token`` itself instead of going through the shared token cache.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

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


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


def menu_json() -> str:
    return json.dumps(MENU, ensure_ascii=False, indent=2)


async def create_menu(api_base: str, appid: str, secret: str, limit_s: float = 10.0) -> None:
    """``cgi-bin/token`` then ``cgi-bin/menu/create``; raises :class:`WeChatApiError` on a non-zero errcode."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit_s)) as http:
        params = {"grant_type": "client_credential", "appid": appid, "secret": secret}
        async with http.get(f"{api_base}/cgi-bin/token", params=params) as resp:
            token = _checked(await resp.json(content_type=None))["access_token"]
        body = json.dumps(MENU, ensure_ascii=False).encode()  # WeChat wants the names unescaped
        async with http.post(f"{api_base}/cgi-bin/menu/create", params={"access_token": token}, data=body,
                             headers={"Content-Type": "application/json"}) as resp:
            _checked(await resp.json(content_type=None))


def _checked(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise WeChatApiError(-1, "not a JSON object")
    if answer.get("errcode", 0) != 0:
        raise WeChatApiError(int(answer["errcode"]), str(answer.get("errmsg", "")))
    return answer
