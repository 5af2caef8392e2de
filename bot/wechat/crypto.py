"""签名 and 消息加解密 (兼容模式 / 安全模式) for the 公众号 callback, on wechatpy's primitives.

WeChat's scheme: ``msg_signature = sha1(sort(token, timestamp, nonce, Encrypt))`` and
``Encrypt = base64(AES-256-CBC(key, iv=key[:16], PKCS#7/32(random16 | len32be | msg | AppId)))``,
key = base64(EncodingAESKey + "="). There is no MAC: integrity rests on msg_signature, so a
ciphertext that fails here was either made with another key or changed by someone holding the
token. wechatpy's own ``PrpCrypto.decrypt`` trusts the padding byte and reports a wrong key as a
wrong AppId (or a UnicodeDecodeError), so the framing is checked here, strictly, in that order:
base64 and block size (``decrypt_failed``), padding and length prefix (``bad_aes_key``), AppId
(``wrong_appid``), UTF-8 of the message (``decrypt_failed``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.wechat.errors import CallbackError

_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")
_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts (wechatpy's WeChatSigner)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def signature_ok(received: str, *parts: str) -> bool:
    # wechatpy's check_signature compares with "!="; a constant-time compare costs nothing.
    return hmac.compare_digest(signature(*parts).encode(), received.encode())


def aes_key_bytes(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind a 43-character EncodingAESKey; ValueError if it is not one."""
    if not _AES_KEY.fullmatch(encoding_aes_key):
        raise ValueError("EncodingAESKey must be 43 characters of [A-Za-z0-9+/]")
    return base64.b64decode(encoding_aes_key + "=")


def decrypt(key: bytes, appid: str, encrypted: str) -> bytes:
    """The message inside an ``Encrypt`` value, UTF-8 checked; CallbackError if unusable."""
    try:
        data = base64.b64decode(encrypted, validate=True)
    except binascii.Error:
        raise CallbackError("decrypt_failed") from None
    if len(data) < _BLOCK or len(data) % 16:
        raise CallbackError("decrypt_failed")
    plain: bytes = PrpCrypto(key).cipher.decrypt(data)
    message, sender = _unframe(plain)
    if sender != appid.encode():
        raise CallbackError("wrong_appid")
    try:
        message.decode("utf-8")
    except UnicodeDecodeError:
        raise CallbackError("decrypt_failed") from None
    return message


def _unframe(plain: bytes) -> tuple[bytes, bytes]:
    # A wrong key turns every block into noise: the padding or the length prefix is what shows it.
    pad = plain[-1]
    if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CallbackError("bad_aes_key")
    body = plain[16:-pad]
    length = int.from_bytes(body[:4], "big")
    if len(body) < 4 or length > len(body) - 4:
        raise CallbackError("bad_aes_key")
    return body[4 : 4 + length], body[4 + length :]


def encrypt_reply(token: str, key: str, appid: str, xml: str, nonce: str, timestamp: str) -> str:
    """The 安全模式 reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce), made by wechatpy."""
    return str(WeChatCrypto(token, key, appid).encrypt_message(xml, nonce, timestamp))
