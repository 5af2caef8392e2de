"""The callback protocol on requests built by signing.py: the three modes, mapping, replies."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.wechat import CallbackError, Inbound, Message, WeChatConfig, open_callback, render_reply, verify_echo
from tests.bot.wechat import signing

NOW = 1_700_000_000
PLAIN = WeChatConfig(token="gridlineToken01")
SAFE = WeChatConfig(token="gridlineToken01", appid="wx0123456789abcdef",
                    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")


def _location_xml() -> str:
    return signing.message_xml({"ToUserName": "gh_x", "FromUserName": "oA", "CreateTime": NOW,
                                "MsgType": "location", "Location_X": 22.5933, "Location_Y": 114.4700,
                                "Scale": 16, "Label": "大鹏新区葵涌街道", "MsgId": "42"})


def test_config_rejects_malformed_keys() -> None:
    with pytest.raises(ValueError):
        WeChatConfig(token="gridlineToken01", appid="wx1", aes_key="short")
    with pytest.raises(ValueError):
        WeChatConfig(token="gridlineToken01", appid="wx1", aes_key="!" * 43)
    with pytest.raises(ValueError):
        WeChatConfig(token="gridlineToken01", appid=None, aes_key=SAFE.aes_key)
    with pytest.raises(ValueError):
        WeChatConfig(token="x")
    assert "gridlineToken01" not in repr(SAFE) and "abcdefg" not in repr(SAFE)


def test_verify_echo_plain_and_safe() -> None:
    assert verify_echo(PLAIN, signing.echo_query(PLAIN, "7081237654", timestamp=NOW), NOW) == "7081237654"
    query = signing.encrypted_echo_query(SAFE, "echo-明文-42", timestamp=NOW)
    assert query["echostr"] != "echo-明文-42"
    assert verify_echo(SAFE, query, NOW + 300) == "echo-明文-42"
    with pytest.raises(CallbackError) as caught:
        verify_echo(SAFE, {**query, "nonce": "other"}, NOW)
    assert (caught.value.status, caught.value.reason) == (403, "bad_signature")


@pytest.mark.parametrize("mode", ["plain", "safe", "compat"])
def test_the_three_modes_give_the_same_message(mode: str) -> None:
    xml = signing.text_xml("路灯坏了", create_time=NOW)
    if mode == "plain":
        request = signing.plain_request(PLAIN, xml, timestamp=NOW, nonce="n1")
    else:
        request = signing.encrypted_request(SAFE, xml, timestamp=NOW, nonce="n1", mode=mode)  # type: ignore[arg-type]
    inbound = open_callback(SAFE if mode != "plain" else PLAIN, request.query, request.body, NOW - 300)
    assert (inbound.mode, inbound.encrypted, inbound.nonce, inbound.timestamp) == (mode, mode != "plain", "n1", NOW)
    message = inbound.message
    assert (message.kind, message.content, message.create_time) == ("text", "路灯坏了", NOW)
    assert message.dedup_key == "msg:24000000000000001"
    assert message.raw["MsgType"] == "text"


def test_compat_mode_reads_the_ciphertext_not_the_plaintext_copy() -> None:
    real = signing.text_xml("真", create_time=NOW)
    encrypted = signing.encrypt(str(SAFE.aes_key), str(SAFE.appid), real.encode())
    forged = signing.text_xml("伪造", create_time=NOW)
    query = signing.encrypted_query(SAFE.token, str(NOW), "n2", encrypted)
    inbound = open_callback(SAFE, query, signing.envelope(forged, encrypted, "compat").encode(), NOW)
    assert (inbound.mode, inbound.message.content) == ("compat", "真")


def test_location_message_maps_x_to_latitude() -> None:
    request = signing.plain_request(PLAIN, _location_xml(), timestamp=NOW)
    message = open_callback(PLAIN, request.query, request.body, NOW).message
    assert (message.kind, message.lat, message.lng, message.scale) == ("location", 22.5933, 114.47, 16)
    assert message.label == "大鹏新区葵涌街道"


def _event(event: str, **extra: str | int | float) -> Message:
    fields: dict[str, str | int | float] = {"ToUserName": "gh_x", "FromUserName": "oA", "CreateTime": NOW,
                                            "MsgType": "event", "Event": event}
    request = signing.plain_request(PLAIN, signing.message_xml({**fields, **extra}), timestamp=NOW)
    return open_callback(PLAIN, request.query, request.body, NOW).message


def test_event_mapping() -> None:
    reported = _event("LOCATION", Latitude=22.59, Longitude=114.47, Precision=65.0)
    assert (reported.event, reported.lat, reported.lng, reported.precision) == ("location", 22.59, 114.47, 65.0)
    assert reported.dedup_key == f"evt:oA:{NOW}:location"
    scanned = _event("subscribe", EventKey="qrscene_grid-0307", Ticket="T")
    assert (scanned.event, scanned.event_key) == ("subscribe", "grid-0307")
    assert scanned.raw["EventKey"] == "qrscene_grid-0307"
    assert _event("SCAN", EventKey="grid-0307").event_key == "grid-0307"
    assert _event("CLICK", EventKey="REPORT").event_key == "REPORT"
    assert _event("LOCATION", Latitude="nan", Longitude=500).lat is None


def test_location_select_event() -> None:
    xml = ("<xml><ToUserName>gh_x</ToUserName><FromUserName>oA</FromUserName>"
           f"<CreateTime>{NOW}</CreateTime><MsgType>event</MsgType><Event>location_select</Event>"
           "<EventKey>6</EventKey><SendLocationInfo><Location_X>22.6</Location_X><Location_Y>114.5</Location_Y>"
           "<Scale>15</Scale><Label><![CDATA[南澳街道]]></Label><Poiname></Poiname></SendLocationInfo></xml>")
    request = signing.plain_request(PLAIN, xml, timestamp=NOW)
    message = open_callback(PLAIN, request.query, request.body, NOW).message
    assert (message.event, message.lat, message.lng, message.scale, message.label) == (
        "location_select", 22.6, 114.5, 15, "南澳街道")


def _fields(xml: bytes | str) -> dict[str, str | None]:
    return {child.tag: child.text for child in ET.fromstring(xml)}


def _opened(config: WeChatConfig, mode: str) -> Inbound:
    xml = signing.text_xml("hi", create_time=NOW)
    if mode == "plain":
        request = signing.plain_request(config, xml, timestamp=NOW)
    else:
        request = signing.encrypted_request(config, xml, timestamp=NOW)
    return open_callback(config, request.query, request.body, NOW)


def test_plain_reply_escapes_cdata() -> None:
    body = render_reply(PLAIN, _opened(PLAIN, "plain"), "a]]><b/>\x00\ud800z", NOW + 1, "n")
    assert _fields(body) == {"MsgType": "text", "Content": "a]]><b/>z", "FromUserName": "gh_gridline0001",
                     "ToUserName": "oResident000000000000000001", "CreateTime": str(NOW + 1)}


def test_encrypted_round_trip_decrypted_by_wechatpy_and_by_the_spec() -> None:
    body = render_reply(SAFE, _opened(SAFE, "safe"), "已受理，编号 DP-0001", NOW + 2, "reply-nonce")
    envelope = _fields(body)
    assert (envelope["TimeStamp"], envelope["Nonce"]) == (str(NOW + 2), "reply-nonce")
    plain = WeChatCrypto(SAFE.token, SAFE.aes_key, SAFE.appid).decrypt_message(
        body.decode(), envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    assert _fields(plain)["Content"] == "已受理，编号 DP-0001"
    assert _fields(signing.open_reply(SAFE, body))["ToUserName"] == "oResident000000000000000001"


def test_a_plain_text_callback_opens_well_under_a_millisecond() -> None:
    request = signing.plain_request(PLAIN, signing.text_xml("井盖丢了", create_time=NOW), timestamp=NOW)
    rounds = 1000
    started = time.perf_counter()
    for _ in range(rounds):
        open_callback(PLAIN, request.query, request.body, NOW)
    assert (time.perf_counter() - started) / rounds < 0.001  # about 0.13 ms on a developer machine
