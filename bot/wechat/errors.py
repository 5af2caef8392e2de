"""Why a WeChat callback was refused: one stable reason code, one HTTP status.

403 means "this did not come from WeChat" (签名 signature, 时间戳 timestamp, 随机数 nonce);
400 means "it may have, but we cannot use it" (size, XML, 消息加解密 decryption). The status is a
function of the reason, so a view cannot pair them wrongly.
"""

from __future__ import annotations

from typing import Literal

Reason = Literal[
    "bad_signature",
    "stale_timestamp",
    "replayed_nonce",
    "too_large",
    "malformed_xml",
    "xml_entities",
    "invalid_utf8",
    "bad_aes_key",
    "wrong_appid",
    "decrypt_failed",
    "missing_params",
]

_FORBIDDEN: frozenset[Reason] = frozenset({"bad_signature", "stale_timestamp", "replayed_nonce"})


class CallbackError(Exception):
    """A refused callback; ``status`` is 403 for authenticity failures, 400 for everything else."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason
        self.status: int = 403 if reason in _FORBIDDEN else 400
