"""WeChat channels against the fake API server: each answer becomes the right outcome."""

from __future__ import annotations

from typing import Any

import pytest

from notify.channels.wechat import WeChatCsChannel, WeChatSubscribeChannel, WeChatTemplateChannel
from notify.http import Http, TransportError, parse_reply
from notify.outcomes import outcome_of
from notify.types import Envelope, Outcome
from tests.notify.conftest import Api

TEXT = {"msgtype": "text", "text": {"content": "您反映的问题已受理，编号 GL-0001"}}
SUB = {"template_id": "tpl-progress", "page": "pages/case?no=GL-0001",
       "data": {"thing1": {"value": "已受理"}, "character_string2": {"value": "GL-0001"}}}


def env(channel: str, address: str, body: dict[str, Any], key: str = "k1") -> Envelope:
    return Envelope(id="m1", channel=channel, address=address, kind="case.accepted", body=body, key=key)


@pytest.mark.parametrize(("code", "outcome"), [
    (0, Outcome.DELIVERED), (45009, Outcome.RETRY), (-1, Outcome.RETRY), (40001, Outcome.RETRY),
    (45015, Outcome.FALLBACK), (43101, Outcome.FALLBACK), (43004, Outcome.STOP), (40003, Outcome.DEAD),
    (93000, Outcome.DEAD), (47001, Outcome.DEAD),
])
def test_error_codes_by_meaning(code: int, outcome: Outcome) -> None:
    assert outcome_of(code) is outcome


@pytest.mark.parametrize(("status", "raw"), [(502, b"{}"), (200, b"<html>"), (200, b"[1]"), (200, b"\xff")])
def test_unusable_answers_are_transport_errors(status: int, raw: bytes) -> None:
    with pytest.raises(TransportError):
        parse_reply(status, raw)


async def test_cs_text_is_delivered(api: Api) -> None:
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "oUser1", TEXT))
    assert attempt.outcome is Outcome.DELIVERED
    [sent] = api.fake.delivered("custom_send")
    assert sent.to == "oUser1" and sent.payload["text"]["content"].startswith("您反映")  # UTF-8 intact


async def test_cs_news(api: Api) -> None:
    news = {"msgtype": "news", "news": {"articles": [{"title": "已办结", "description": "d", "url": "https://x/1",
                                                       "picurl": "https://x/1.jpg"}]}}
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "oUser1", news))
    assert attempt.outcome is Outcome.DELIVERED and api.fake.deliveries[0].payload["msgtype"] == "news"


@pytest.mark.parametrize(("setup", "outcome", "code"), [
    ("outside_window", Outcome.FALLBACK, 45015),
    ("unsubscribed", Outcome.STOP, 43004),
])
async def test_cs_refusals(api: Api, setup: str, outcome: Outcome, code: int) -> None:
    getattr(api.fake, setup).add("oUser2")
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "oUser2", TEXT))
    assert (attempt.outcome, attempt.code) == (outcome, code) and not api.fake.deliveries


@pytest.mark.parametrize(("script", "outcome", "code"), [
    (45009, Outcome.RETRY, 45009), (-1, Outcome.RETRY, -1), (503, Outcome.RETRY, 503), (48001, Outcome.DEAD, 48001),
])
async def test_cs_scripted_failures(api: Api, script: int, outcome: Outcome, code: int) -> None:
    api.fake.gate.fail("custom_send", script)
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "oUser1", TEXT))
    assert (attempt.outcome, attempt.code) == (outcome, code)


async def test_rate_limit_answers_45009(api: Api) -> None:
    api.fake.gate.limit("custom_send", per_s=1, burst=2)
    channel = WeChatCsChannel(api.wechat())
    outcomes = [(await channel.send(env("wechat_cs", "oUser1", TEXT, key=str(i)))).outcome for i in range(4)]
    assert outcomes == [Outcome.DELIVERED, Outcome.DELIVERED, Outcome.RETRY, Outcome.RETRY]


async def test_slow_server_is_a_retry(api: Api) -> None:
    api.fake.gate.latency_s["custom_send"] = 0.5
    http = Http(timeout_s=0.2)
    client = api.wechat()
    await client.access_token()
    client.http = http
    attempt = await WeChatCsChannel(client).send(env("wechat_cs", "oUser1", TEXT))
    await http.close()
    assert attempt.outcome is Outcome.RETRY and "Timeout" in attempt.detail


@pytest.mark.parametrize("body", [{}, {"msgtype": "text"}, {"msgtype": "shell", "shell": {}}])
async def test_bad_cs_bodies_are_dead_without_a_call(api: Api, body: dict[str, Any]) -> None:
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "oUser1", body))
    assert attempt.outcome is Outcome.DEAD and not api.fake.gate.answers


async def test_invalid_openid_is_dead_with_code(api: Api) -> None:
    attempt = await WeChatCsChannel(api.wechat()).send(env("wechat_cs", "bad openid!", TEXT))
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, 40003)


@pytest.mark.parametrize(("api_name", "recorded"), [("bizsend", "bizsend"), ("mp", "subscribe_send")])
async def test_subscribe_messages(api: Api, api_name: str, recorded: str) -> None:
    channel = WeChatSubscribeChannel(api.wechat(), api=api_name)  # type: ignore[arg-type]
    attempt = await channel.send(env("wechat_subscribe", "oUser1", SUB))
    assert attempt.outcome is Outcome.DELIVERED and attempt.detail.startswith("msgid=")
    [sent] = api.fake.delivered(recorded)
    assert sent.payload["data"]["thing1"]["value"] == "已受理" and sent.payload["page"] == SUB["page"]


async def test_subscribe_without_credit_falls_back(api: Api) -> None:
    api.fake.no_credit.add("oUser3")
    attempt = await WeChatSubscribeChannel(api.wechat()).send(env("wechat_subscribe", "oUser3", SUB))
    assert (attempt.outcome, attempt.code) == (Outcome.FALLBACK, 43101)


async def test_unknown_template_is_dead(api: Api) -> None:
    api.fake.templates = {"tpl-other"}
    attempt = await WeChatTemplateChannel(api.wechat()).send(env("wechat_template", "oUser1", SUB))
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, 40037)


async def test_template_message(api: Api) -> None:
    body = {"template_id": "tpl-1", "url": "https://example.org/c/1", "data": {"first": {"value": "已派遣"}}}
    attempt = await WeChatTemplateChannel(api.wechat()).send(env("wechat_template", "oUser1", body))
    assert attempt.outcome is Outcome.DELIVERED and api.fake.delivered("template_send")[0].to == "oUser1"


async def test_errors_never_carry_secrets() -> None:
    error = TransportError("ClientResponseError: 400, url='https://x/cgi-bin/webhook/send?key=abc-123&x=1' "
                           "https://x/cgi-bin/message/send?access_token=SECRET_TOKEN")
    assert "abc-123" not in str(error) and "SECRET_TOKEN" not in str(error) and "key=***" in str(error)
