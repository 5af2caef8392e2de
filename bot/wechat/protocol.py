"""The 公众号 服务器配置 callback, as pure functions: verify, open, reply.

消息加解密方式 (WeChat's three modes):
- 明文模式: ``signature`` = sha1(token, timestamp, nonce) only; the body itself is not signed,
  so only the ±300 s window and the caller's nonce check keep a copied URL from being reused.
- 兼容模式: ``encrypt_type=aes``; the body carries the plaintext fields AND ``<Encrypt>``.
- 安全模式: ``encrypt_type=aes``; the body carries only ``ToUserName`` and ``<Encrypt>``.
With ``aes`` the message is read from the decrypted XML only: in 兼容模式 the plaintext copy is
not covered by ``msg_signature``. Nothing is stored here: the caller does SET NX on
``(timestamp, nonce)`` and raises ``CallbackError("replayed_nonce")`` itself.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from wechatpy.replies import TextReply

from bot.sections import WeChatSection
from bot.wechat import crypto
from bot.wechat.errors import CallbackError
from bot.wechat.messages import Message, message_from_fields
from bot.wechat.xmlsafe import parse_fields

MAX_BODY = 64 * 1024
MAX_SKEW_S = 300
_TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")  # WeChat's rule for the 令牌 Token
_SAFE_ENVELOPE = frozenset({"ToUserName", "Encrypt"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not XML 1.0 chars

Mode = Literal["plain", "compat", "safe"]


@dataclass(frozen=True)
class WeChatConfig:
    token: str = field(repr=False)
    appid: str | None = None
    aes_key: str | None = field(default=None, repr=False)  # the 43-character EncodingAESKey

    def __post_init__(self) -> None:
        if not _TOKEN.fullmatch(self.token):
            raise ValueError("token must be 3-32 letters or digits")
        if self.aes_key is not None:
            crypto.aes_key_bytes(self.aes_key)
            if not self.appid:
                raise ValueError("appid is required with aes_key")

    @classmethod
    def of(cls, section: WeChatSection) -> WeChatConfig:
        """The account's callback credentials; without a token (sandbox mode: production requires one), a
        fresh one per process that the simulator signs with."""
        if section.token is None:
            return cls(secrets.token_hex(16), "wxsandbox00000000", None)
        aes = section.aes_key.get_secret_value() if section.aes_key is not None else None
        return cls(section.token.get_secret_value(), section.appid, aes)


@dataclass(frozen=True)
class Inbound:
    mode: Mode
    message: Message
    nonce: str
    timestamp: int

    @property
    def encrypted(self) -> bool:
        return self.mode != "plain"


def verify_echo(config: WeChatConfig, query: Mapping[str, str], now: float) -> str:
    """The text to answer WeChat's ``GET`` 验证服务器地址 with; CallbackError if not genuine.

    A 公众号 sends ``signature`` and a plain ``echostr`` in every mode; with ``msg_signature`` the
    ``echostr`` is encrypted (the 企业微信-style check) and the decrypted text is the answer.
    """
    if "msg_signature" not in query:
        signature, timestamp, nonce, echostr = _params(query, "signature", "timestamp", "nonce", "echostr")
        _check(signature, config.token, timestamp, nonce)
        _check_clock(timestamp, now)
        return echostr
    msg_signature, timestamp, nonce, echostr = _params(query, "msg_signature", "timestamp", "nonce", "echostr")
    _check(msg_signature, config.token, timestamp, nonce, echostr)
    _check_clock(timestamp, now)
    return _decrypt(config, echostr).decode("utf-8")


def open_callback(config: WeChatConfig, query: Mapping[str, str], body: bytes, now: float) -> Inbound:
    """Authenticate, bound, parse and (兼容/安全模式) decrypt a ``POST`` callback."""
    if len(body) > MAX_BODY:
        raise CallbackError("too_large")
    encryption = query.get("encrypt_type", "raw")
    if encryption not in ("raw", "aes"):
        raise CallbackError("missing_params")
    names = ["signature", "timestamp", "nonce"] + (["msg_signature"] if encryption == "aes" else [])
    signature, timestamp, nonce, *msg_signature = _params(query, *names)
    # Authenticate before parsing: an unsigned request never reaches the XML parser.
    _check(signature, config.token, timestamp, nonce)
    _check_clock(timestamp, now)
    outer = parse_fields(body)
    if not msg_signature:
        return Inbound("plain", message_from_fields(outer), nonce, int(timestamp))
    if "Encrypt" not in outer:
        raise CallbackError("malformed_xml")
    _check(msg_signature[0], config.token, timestamp, nonce, outer["Encrypt"])
    inner = parse_fields(_decrypt(config, outer["Encrypt"]))
    mode: Mode = "safe" if outer.keys() <= _SAFE_ENVELOPE else "compat"
    return Inbound(mode, message_from_fields(inner), nonce, int(timestamp))


def render_reply(config: WeChatConfig, inbound: Inbound, text: str, now: float, nonce: str) -> bytes:
    """The 被动回复 text message, encrypted when the callback was (兼容/安全模式)."""
    message = inbound.message
    reply = TextReply(source=_cdata(message.to_user), target=_cdata(message.from_user),
                      content=_cdata(text), time=int(now))
    xml = str(reply.render())
    if inbound.encrypted:
        if config.aes_key is None or config.appid is None:
            raise CallbackError("bad_aes_key")
        xml = crypto.encrypt_reply(config.token, config.aes_key, config.appid, xml, nonce, str(int(now)))
    return xml.encode("utf-8")


def _params(query: Mapping[str, str], *names: str) -> list[str]:
    values = [query.get(name, "") for name in names]
    if not all(values):
        raise CallbackError("missing_params")
    return values


def _check(received: str, *parts: str) -> None:
    if not crypto.signature_ok(received, *parts):
        raise CallbackError("bad_signature")


def _check_clock(timestamp: str, now: float) -> None:
    # Digits only and short: int() of a 5000-digit string would raise rather than answer 403.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise CallbackError("stale_timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_S:
        raise CallbackError("stale_timestamp")


def _decrypt(config: WeChatConfig, encrypted: str) -> bytes:
    if config.aes_key is None or config.appid is None:
        raise CallbackError("bad_aes_key")
    return crypto.decrypt(crypto.aes_key_bytes(config.aes_key), config.appid, encrypted)


def _cdata(text: str) -> str:
    # wechatpy writes <![CDATA[{value}]]> verbatim: a "]]>" in a reply would end the section early,
    # and a control character or lone surrogate would make WeChat (or .encode) reject the reply.
    return _XML_ILLEGAL.sub("", text).replace("]]>", "]]]]><![CDATA[>")
