"""Builds 公众号 callback requests the way WeChat's server does, and opens its encrypted replies.

明文模式: ``signature`` in the query, the XML as body. 兼容模式: the plaintext fields plus
``<Encrypt>``. 安全模式: only ``ToUserName`` and ``<Encrypt>``; both add ``encrypt_type=aes`` and
``msg_signature``. Written from WeChat's 消息加解密说明 on ``cryptography`` alone, without
bot.wechat or wechatpy, so a mistake shared by both cannot pass the tests unseen. ``random16``
is fixed by default so that ciphertexts (and the failures tests provoke) are reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

FIXED_RANDOM = b"0123456789abcdef"


class Keys(Protocol):
    """What a WeChatConfig carries; any object with these attributes will do."""

    @property
    def token(self) -> str: ...
    @property
    def appid(self) -> str | None: ...
    @property
    def aes_key(self) -> str | None: ...


@dataclass(frozen=True)
class SignedRequest:
    query: dict[str, str]
    body: bytes


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _cipher(aes_key: str) -> Cipher[modes.CBC]:
    key = base64.b64decode(aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(aes_key: str, appid: str, message: bytes, random16: bytes = FIXED_RANDOM) -> str:
    """``base64(AES-CBC(random16 | len32be | message | appid, PKCS#7 to 32 bytes))``."""
    framed = random16 + len(message).to_bytes(4, "big") + message + appid.encode("utf-8")
    pad = 32 - len(framed) % 32
    encryptor = _cipher(aes_key).encryptor()
    return base64.b64encode(encryptor.update(framed + bytes([pad]) * pad) + encryptor.finalize()).decode()


def decrypt(aes_key: str, encrypted: str) -> tuple[bytes, str]:
    """(message, appid) from an ``Encrypt`` value; no checks, tests assert on the result."""
    decryptor = _cipher(aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    body = plain[16 : -plain[-1]]
    length = int.from_bytes(body[:4], "big")
    return body[4 : 4 + length], body[4 + length :].decode("utf-8")


def message_xml(fields: Mapping[str, str | int | float]) -> str:
    """``<xml>`` as WeChat writes it: text in CDATA, numbers bare, in the given order."""
    nodes = [f"<{k}>{v}</{k}>" if not isinstance(v, str) else f"<{k}><![CDATA[{v}]]></{k}>"
             for k, v in fields.items()]
    return "<xml>" + "".join(nodes) + "</xml>"


def text_xml(content: str, *, create_time: int, from_user: str = "oResident000000000000000001",
             to_user: str = "gh_gridline0001", msg_id: str = "24000000000000001") -> str:
    return message_xml({"ToUserName": to_user, "FromUserName": from_user, "CreateTime": create_time,
                        "MsgType": "text", "Content": content, "MsgId": msg_id})


def plain_request(keys: Keys, xml: str | bytes, *, timestamp: int, nonce: str = "1300000001",
                  openid: str = "oResident000000000000000001") -> SignedRequest:
    body = xml.encode("utf-8") if isinstance(xml, str) else xml
    return SignedRequest(_signed(keys.token, str(timestamp), nonce, openid=openid), body)


def encrypted_request(keys: Keys, xml: str, *, timestamp: int, nonce: str = "1300000001",
                      mode: Literal["safe", "compat"] = "safe", random16: bytes = FIXED_RANDOM,
                      appid: str | None = None) -> SignedRequest:
    """``appid`` overrides the AppId sealed inside (to provoke ``wrong_appid``)."""
    assert keys.aes_key is not None and keys.appid is not None
    encrypted = encrypt(keys.aes_key, appid or keys.appid, xml.encode("utf-8"), random16)
    return SignedRequest(encrypted_query(keys.token, str(timestamp), nonce, encrypted),
                         envelope(xml, encrypted, mode).encode("utf-8"))


def encrypted_query(token: str, timestamp: str, nonce: str, encrypted: str) -> dict[str, str]:
    return _signed(token, timestamp, nonce, encrypt_type="aes", msg_signature=sign(token, timestamp, nonce, encrypted))


def envelope(xml: str, encrypted: str, mode: Literal["safe", "compat"]) -> str:
    node = f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
    if mode == "compat":
        return re.sub(r"</xml>\s*$", node + "</xml>", xml)
    to_user = ET.fromstring(xml).findtext("ToUserName") or ""
    return f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>{node}</xml>"


def echo_query(keys: Keys, echostr: str, *, timestamp: int, nonce: str = "1300000002") -> dict[str, str]:
    return _signed(keys.token, str(timestamp), nonce, echostr=echostr)


def encrypted_echo_query(keys: Keys, echostr: str, *, timestamp: int, nonce: str = "1300000002",
                         random16: bytes = FIXED_RANDOM) -> dict[str, str]:
    assert keys.aes_key is not None and keys.appid is not None
    encrypted = encrypt(keys.aes_key, keys.appid, echostr.encode("utf-8"), random16)
    ts = str(timestamp)
    return {"msg_signature": sign(keys.token, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce,
            "echostr": encrypted}


def open_reply(keys: Keys, body: bytes) -> str:
    """The plaintext XML inside an encrypted passive reply, after checking its MsgSignature."""
    assert keys.aes_key is not None
    root = ET.fromstring(body)
    encrypted, ts, nonce = (root.findtext(k) or "" for k in ("Encrypt", "TimeStamp", "Nonce"))
    assert root.findtext("MsgSignature") == sign(keys.token, ts, nonce, encrypted), "reply MsgSignature"
    message, appid = decrypt(keys.aes_key, encrypted)
    assert appid == keys.appid, appid
    return message.decode("utf-8")


def _signed(token: str, timestamp: str, nonce: str, **extra: str) -> dict[str, str]:
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, **extra}
