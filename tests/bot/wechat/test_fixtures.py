"""Real callback payloads from wechatpy, WeRoBot and easyswoole (shared/data/wechat, never copied).

Every 公众号 payload must open to its kind and event in 明文, 兼容 and 安全模式; 企业微信 and
第三方平台 payloads may open or be refused, but only ever with CallbackError.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

import pytest

from bot.wechat import CallbackError, WeChatConfig, open_callback, verify_echo
from bot.wechat.crypto import aes_key_bytes, decrypt
from bot.wechat.messages import Kind
from tests.bot.wechat import signing
from tests.conftest import SHARED, shared_data

DATA = SHARED / "data" / "wechat"
INDEX: list[dict[str, Any]] = json.loads((DATA / "index.json").read_text("utf-8")) if DATA.is_dir() else []
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _data() -> None:
    """Every test here reads ../shared/data/wechat: skipped without it, failed in CI."""
    shared_data("wechat/index.json")


def _cases(cases: list[T], absent: T) -> list[T]:
    """Without the data, one case that ``_data`` skips with its reason: an empty list is skipped with
    none, and would pass in CI."""
    return cases or [absent]

KEYS = WeChatConfig(token="fixtureToken", appid="wxfixture0000001",
                    aes_key="pz2Zl2by0oZQ6AUV4EvnbF7A7VRUvrLN1vqnxsUjmTW")
KINDS = {"text", "voice", "image", "location", "link", "video", "shortvideo", "event"}
NOW = 1_700_000_000


def _entries(official: bool) -> list[dict[str, Any]]:
    found = [e for e in INDEX if e["file"] and not e["encrypted"] and e["platform"].startswith("official") == official]
    return _cases(found, {"file": "absent"})


def _expected(entry: dict[str, Any]) -> tuple[Kind, str | None]:
    kind = cast(Kind, entry["msg_type"] if entry["msg_type"] in KINDS else "unknown")
    return kind, ((entry["event"] or "").lower() or None) if kind == "event" else None


@pytest.mark.parametrize("entry", _entries(official=True), ids=lambda e: e["file"])
@pytest.mark.parametrize("mode", ["plain", "safe", "compat"])
def test_official_account_payloads_open_in_every_mode(entry: dict[str, Any], mode: str) -> None:
    xml = (DATA / entry["file"]).read_text("utf-8")
    if mode == "plain":
        request = signing.plain_request(KEYS, xml, timestamp=NOW)
    else:
        request = signing.encrypted_request(KEYS, xml, timestamp=NOW, mode=mode)  # type: ignore[arg-type]
    message = open_callback(KEYS, request.query, request.body, NOW).message
    assert (message.kind, message.event) == _expected(entry)
    assert message.from_user and message.create_time > 0
    assert entry["has_Recognition"] == (message.recognition is not None)


@pytest.mark.parametrize("entry", _entries(official=False), ids=lambda e: e["file"])
def test_wecom_payloads_open_or_fail_only_with_callback_error(entry: dict[str, Any]) -> None:
    request = signing.plain_request(KEYS, (DATA / entry["file"]).read_bytes(), timestamp=NOW)
    try:
        open_callback(KEYS, request.query, request.body, NOW)
    except CallbackError as refused:
        assert refused.status == 400


def _entry(file: str) -> dict[str, Any]:
    return next(e for e in INDEX if e["file"] == file)


def test_the_real_safe_mode_capture_decrypts_to_ceshi() -> None:
    entry = _entry("easyswoole__OA_safe_mode_request__encrypted_text.xml")
    keys, query = entry["test_keys"], entry["query"]
    config = WeChatConfig(token=keys["token"], appid=keys["app_id"], aes_key=keys["encoding_aes_key"])
    inbound = open_callback(config, query, (DATA / entry["file"]).read_bytes(), float(query["timestamp"]))
    assert (inbound.mode, inbound.message.kind, inbound.message.content) == ("safe", "text", "测试")
    assert inbound.message.dedup_key == "msg:22994982940022977"
    assert (inbound.nonce, inbound.timestamp) == ("535086195", 1606180982)
    echo = signing.encrypted_echo_query(config, "5837397520", timestamp=inbound.timestamp)
    assert verify_echo(config, echo, inbound.timestamp) == "5837397520"


def test_the_real_safe_mode_capture_under_a_wrong_key_or_appid() -> None:
    entry = _entry("easyswoole__OA_safe_mode_request__encrypted_text.xml")
    keys, query, body = entry["test_keys"], entry["query"], (DATA / entry["file"]).read_bytes()
    for appid, aes_key, reason in [(keys["app_id"], "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "bad_aes_key"),
                                   ("wx0000000000000000", keys["encoding_aes_key"], "wrong_appid")]:
        config = WeChatConfig(token=keys["token"], appid=appid, aes_key=aes_key)
        with pytest.raises(CallbackError) as caught:
            open_callback(config, query, body, float(query["timestamp"]))
        assert (caught.value.status, caught.value.reason) == (400, reason)


@pytest.mark.parametrize("entry", _cases([e for e in INDEX if e["file"] and e.get("query")], {"file": "absent"}),
                         ids=lambda e: e["file"])
def test_real_queries_open_or_fail_only_with_callback_error(entry: dict[str, Any]) -> None:
    """企业微信 sends no ``signature`` (missing_params); 第三方平台's ticket has no FromUserName."""
    keys, query = entry["test_keys"], entry["query"]
    appid = keys.get("app_id") or keys.get("receive_id(corp_id/appid)")
    config = WeChatConfig(token=keys["token"], appid=appid, aes_key=keys.get("encoding_aes_key"))
    try:
        open_callback(config, query, (DATA / entry["file"]).read_bytes(), float(query["timestamp"]))
    except CallbackError as refused:
        assert refused.reason in ("missing_params", "malformed_xml")


def test_the_real_clear_mode_capture_verifies() -> None:
    entry = _entry("easyswoole__OA_clear_mode_request__text.xml")
    query = entry["query"]
    config = WeChatConfig(token=entry["test_keys"]["token"])
    inbound = open_callback(config, query, (DATA / entry["file"]).read_bytes(), float(query["timestamp"]))
    assert (inbound.mode, inbound.message.content) == ("plain", "测试")


def _encrypted_samples() -> list[tuple[str, str, str, str]]:
    """(key, appid, Encrypt, expected plaintext fragment) for every encrypted sample with its keys."""
    samples: list[tuple[str, str, str, str]] = []
    for entry in INDEX:
        keys, vector = entry.get("test_keys") or {}, entry.get("vector")
        appid = str(keys.get("app_id") or keys.get("receive_id(corp_id/appid)"))
        if vector:
            samples.append((keys["encoding_aes_key"], appid, vector["ciphertext_b64"], vector["plaintext"]))
        elif entry["encrypted"] and entry["file"]:
            body = (DATA / entry["file"]).read_text("utf-8")
            encrypted = body.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
            samples.append((keys["encoding_aes_key"], appid, encrypted, "<xml>"))
    return _cases(samples, ("absent", "", "", ""))


@pytest.mark.parametrize(("key", "appid", "encrypted", "expected"), _encrypted_samples())
def test_every_encrypted_sample_decrypts_with_its_keys(key: str, appid: str, encrypted: str, expected: str) -> None:
    assert expected in decrypt(aes_key_bytes(key), appid, encrypted).decode("utf-8")
    with pytest.raises(CallbackError) as caught:
        decrypt(aes_key_bytes(key), appid + "x", encrypted)
    assert caught.value.reason == "wrong_appid"
