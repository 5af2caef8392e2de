"""The SMS channel against the fake Tencent Cloud / Aliyun server: signed requests, codes by meaning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from notify.channels.sms import SmsChannel, outcome_of
from notify.http import Http
from notify.sms import Provider, SmsAccount, SmsReply, client_for
from notify.types import Envelope, Outcome
from tests.fakes.sms_api import FakeSms

PROVIDERS: tuple[Provider, ...] = ("tencent", "aliyun")
TEMPLATE = {"tencent": "1001", "aliyun": "SMS_100001"}


@dataclass
class Sms:
    fake: FakeSms
    base: str
    http: Http

    def account(self, provider: Provider, **changes: Any) -> SmsAccount:
        account = SmsAccount(provider, self.fake.secret_id, self.fake.secret_key, "网格通", app_id=self.fake.app_id,
                             api_base=f"{self.base}/{provider}/")
        return replace(account, **changes)

    def channel(self, provider: Provider, **changes: Any) -> SmsChannel:
        return SmsChannel(client_for(self.http, self.account(provider, **changes)))


@pytest.fixture
async def sms() -> AsyncIterator[Sms]:
    fake = FakeSms()
    server = TestServer(fake.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield Sms(fake, str(server.make_url("")).rstrip("/"), http)
    await http.close()
    await server.close()


def env(provider: Provider, phone: str = "+8613800138000", **body: Any) -> Envelope:
    content = {"template": TEMPLATE[provider], "params": ["GL-20261206-0001", "已办结"], **body}
    return Envelope(id="s1", channel="sms_template", address=phone, kind="case.close", body=content, key="k")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_signed_message_is_delivered_with_its_template_and_params(sms: Sms, provider: Provider) -> None:
    attempt = await sms.channel(provider).send(env(provider))
    assert attempt.outcome is Outcome.DELIVERED and attempt.detail.startswith("serial=")
    [sent] = sms.fake.sent
    assert (sent.provider, sent.phone[-11:], sent.template) == (provider, "13800138000", TEMPLATE[provider])
    assert sent.params == ("GL-20261206-0001", "已办结")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_wrong_secret_is_refused_by_the_signature_check_and_dead_lettered(sms: Sms, provider: Provider) -> None:
    attempt = await sms.channel(provider, secret_key="not-the-secret").send(env(provider))
    expected = "AuthFailure.SignatureFailure" if provider == "tencent" else "SignatureDoesNotMatch"
    assert attempt.outcome is Outcome.DEAD and attempt.detail.startswith(expected)
    assert sms.fake.sent == []


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_daily_limit_of_a_number_is_retried_after_midnight(sms: Sms, provider: Provider) -> None:
    sms.fake.daily_limit = 1
    channel = sms.channel(provider)
    assert (await channel.send(env(provider))).outcome is Outcome.DELIVERED
    limited = await channel.send(env(provider))
    assert limited.outcome is Outcome.RETRY and limited.retry_after_s is not None and limited.retry_after_s >= 30
    code = "LimitExceeded.PhoneNumberDailyLimit" if provider == "tencent" else "isv.BUSINESS_LIMIT_CONTROL"
    assert limited.detail.startswith(code)
    assert (await channel.send(env(provider, phone="+8613900139000"))).outcome is Outcome.DELIVERED  # per number


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_illegal_number_is_given_up_for_good(sms: Sms, provider: Provider) -> None:
    attempt = await sms.channel(provider).send(env(provider, phone="+8612345"))
    code = "InvalidParameterValue.IncorrectPhoneNumber" if provider == "tencent" else "isv.MOBILE_NUMBER_ILLEGAL"
    assert attempt.outcome is Outcome.STOP and attempt.detail.startswith(code)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_unapproved_signature_is_dead_lettered(sms: Sms, provider: Provider) -> None:
    attempt = await sms.channel(provider, sign_name="未审核").send(env(provider))
    code = "FailedOperation.SignatureIncorrectOrUnapproved" if provider == "tencent" else "isv.SMS_SIGNATURE_ILLEGAL"
    assert attempt.outcome is Outcome.DEAD and attempt.detail.startswith(code)


@pytest.mark.parametrize(("provider", "fault"), [("tencent", "InternalError.Timeout"),
                                                 ("aliyun", "isp.SYSTEM_ERROR")])
async def test_a_provider_fault_is_retried(sms: Sms, provider: Provider, fault: str) -> None:
    sms.fake.fail_next.append(fault)
    attempt = await sms.channel(provider).send(env(provider))
    assert attempt.outcome is Outcome.RETRY and attempt.detail.startswith(fault)


async def test_an_unreachable_provider_is_retried(sms: Sms) -> None:
    channel = SmsChannel(client_for(sms.http, replace(sms.account("tencent"), api_base="http://127.0.0.1:9/")))
    assert (await channel.send(env("tencent"))).outcome is Outcome.RETRY


@pytest.mark.parametrize(("address", "body", "outcome"), [
    ("13800138000", {}, Outcome.STOP),  # not E.164: the router writes +86…
    ("+8613800138000", {"template": ""}, Outcome.DEAD),
    ("+8613800138000", {"params": "已办结"}, Outcome.DEAD),
    ("+8613800138000", {"params": ["长" * 36]}, Outcome.DEAD),
    ("+8613800138000", {"params": [1, 2]}, Outcome.DEAD),
    ("+8613800138000", {"params": ["x"] * 11}, Outcome.DEAD),
])
async def test_hostile_bodies_and_addresses_never_reach_the_provider(
        sms: Sms, address: str, body: dict[str, Any], outcome: Outcome) -> None:
    attempt = await sms.channel("tencent").send(env("tencent", phone=address, **body))
    assert attempt.outcome is outcome and sms.fake.sent == []


def test_the_secret_stays_out_of_the_account_repr() -> None:
    assert "hunter2" not in repr(SmsAccount("aliyun", "id", "hunter2", "sign"))


def test_limits_by_the_number_wait_for_their_window() -> None:
    now = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)  # 23:00 in China: the daily quota returns in about an hour
    daily = outcome_of(SmsReply("LimitExceeded.PhoneNumberDailyLimit"), now)
    assert daily.retry_after_s is not None and 3600 <= daily.retry_after_s <= 3960
    assert outcome_of(SmsReply("LimitExceeded.PhoneNumberThirtySecondLimit"), now).retry_after_s == 30
    assert outcome_of(SmsReply("OK", serial="x")).outcome is Outcome.DELIVERED
