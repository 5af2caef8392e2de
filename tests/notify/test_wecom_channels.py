"""WeCom group robot and application messages against the fake server."""

from __future__ import annotations

from typing import Any

import pytest

from notify.channels.wecom import WeComAppChannel, WeComRobotChannel
from notify.types import Envelope, Outcome
from tests.notify.conftest import Api

MARKDOWN = {"msgtype": "markdown",
            "markdown": {"content": "**新任务** GL-0001\n> 类别：<font color=\"warning\">占道经营</font>"}}
CARD = {"msgtype": "template_card", "template_card": {
    "card_type": "text_notice", "main_title": {"title": "新任务 GL-0001", "desc": "占道经营 · 黄色"},
    "horizontal_content_list": [{"keyname": "时限", "value": "11-18 18:00"}, {"keyname": "照片", "value": "2"}],
    "card_action": {"type": 1, "url": "https://gridline.example/t/abc"}}}


def env(address: str, body: dict[str, Any], channel: str = "wecom_robot") -> Envelope:
    return Envelope(id="w1", channel=channel, address=address, kind="case.dispatched", body=body, key="k")


@pytest.mark.parametrize("body", [MARKDOWN, CARD])
async def test_robot_delivers(api: Api, body: dict[str, Any]) -> None:
    key = api.fake.robot_key()
    attempt = await WeComRobotChannel(api.http, api.base).send(env(key, body))
    assert attempt.outcome is Outcome.DELIVERED
    [sent] = api.fake.delivered("webhook_send", key)
    assert sent.payload == body


async def test_unknown_webhook_is_dead(api: Api) -> None:
    attempt = await WeComRobotChannel(api.http, api.base).send(env("0000-dead-beef", MARKDOWN))
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, 93000)


async def test_robot_rate_limit_per_key_retries(api: Api) -> None:
    busy, calm = api.fake.robot_key(), api.fake.robot_key()
    api.fake.gate.limit(f"webhook_send:{busy}", per_s=20 / 60, burst=1)
    channel = WeComRobotChannel(api.http, api.base)
    first, second = [await channel.send(env(busy, MARKDOWN)) for _ in range(2)]
    other = await channel.send(env(calm, MARKDOWN))
    assert first.outcome is Outcome.DELIVERED and (second.outcome, second.code) == (Outcome.RETRY, 45009)
    assert other.outcome is Outcome.DELIVERED


@pytest.mark.parametrize(("address", "body"), [
    ("k", {"msgtype": "markdown", "markdown": {"content": "长" * 1400}}),  # 4200 bytes of UTF-8
    ("k", {"msgtype": "markdown"}),
    ("k", {"msgtype": "voice", "voice": {}}),
    ("../../x?key=y", MARKDOWN),
    ("", MARKDOWN),
])
async def test_bad_robot_envelopes_are_dead_without_a_call(api: Api, address: str, body: dict[str, Any]) -> None:
    attempt = await WeComRobotChannel(api.http, api.base).send(env(address, body))
    assert attempt.outcome is Outcome.DEAD and not api.fake.gate.answers


async def test_app_message(api: Api) -> None:
    api.fake.wecom_users = {"zhangsan", "lisi"}
    channel = WeComAppChannel(api.wecom(), agentid=api.fake.agentid)
    body = {"msgtype": "text", "text": {"content": "新任务 GL-0001"}}
    attempt = await channel.send(env("zhangsan|nobody", body, "wecom_app"))
    assert attempt.outcome is Outcome.DELIVERED
    assert api.fake.delivered("wecom_send")[0].to == "zhangsan"
    stopped = await channel.send(env("nobody", body, "wecom_app"))
    assert (stopped.outcome, stopped.code) == (Outcome.STOP, 81013)


async def test_app_message_with_wrong_agent_is_dead(api: Api) -> None:
    attempt = await WeComAppChannel(api.wecom(), agentid=1).send(
        env("zhangsan", {"msgtype": "text", "text": {"content": "x"}}, "wecom_app"))
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, 40056)
