"""WeChat 公众号 channel: the callback protocol (``protocol``) and the dialogue built on it.

The protocol layer is pure: no I/O, no clock, no storage; the aiohttp view passes ``now`` and does
the nonce SET NX and the dedup itself.
"""

from __future__ import annotations

from bot.wechat.errors import CallbackError, Reason
from bot.wechat.messages import Kind, Message
from bot.wechat.protocol import (
    MAX_BODY,
    MAX_SKEW_S,
    Inbound,
    Mode,
    WeChatConfig,
    open_callback,
    render_reply,
    verify_echo,
)

__all__ = [
    "MAX_BODY",
    "MAX_SKEW_S",
    "CallbackError",
    "Inbound",
    "Kind",
    "Message",
    "Mode",
    "Reason",
    "WeChatConfig",
    "open_callback",
    "render_reply",
    "verify_echo",
]
