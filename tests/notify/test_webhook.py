"""Signed webhooks against a receiver that verifies them: signature, replay window, retries, refusals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestServer

from notify import signing
from notify.channels.webhook import Subscriber, WebhookChannel
from notify.http import Http
from notify.types import Envelope, Outcome
from tests.fakes.webhook_receiver import Receiver

SECRET = "whsec-0123456789abcdef"
EVENT = {"id": "hook:city:GL-1:3:dispatch", "event": "case.dispatch", "case_no": "GL-1", "status": "dispatched",
         "grid": "440304001001", "note": "派给 南园街道 路灯组"}


@dataclass
class Hook:
    receiver: Receiver
    url: str
    http: Http

    def channel(self, secret: str = SECRET, url: str | None = None, now: float | None = None) -> WebhookChannel:
        clock = (lambda: now) if now is not None else self.receiver.clock
        return WebhookChannel(self.http, {"city": Subscriber(url or self.url, secret)}, clock)


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    receiver = Receiver(SECRET)
    server = TestServer(receiver.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield Hook(receiver, str(server.make_url("/hook")), http)
    await http.close()
    await server.close()


def env(address: str = "city") -> Envelope:
    return Envelope(id="9", channel="webhook", address=address, kind="case.dispatch", body=EVENT, key=EVENT["id"])


async def test_a_signed_event_is_verified_and_delivered(hook: Hook) -> None:
    attempt = await hook.channel().send(env())
    assert attempt.outcome is Outcome.DELIVERED
    [got] = hook.receiver.events
    assert got == {**EVENT, "_event": "case.dispatch"} and not hook.receiver.refused


async def test_a_wrong_secret_is_refused_by_the_receiver_and_dead_lettered(hook: Hook) -> None:
    attempt = await hook.channel(secret="not-the-secret-at-all").send(env())
    assert (attempt.outcome, attempt.code) == (Outcome.DEAD, 401)
    assert hook.receiver.refused == ["signature does not match the body"] and not hook.receiver.events


async def test_an_old_signature_is_a_replay(hook: Hook) -> None:
    attempt = await hook.channel(now=hook.receiver.clock() - signing.TOLERANCE_S - 60).send(env())
    assert attempt.outcome is Outcome.DEAD and "tolerance" in hook.receiver.refused[0]


def test_a_captured_body_cannot_be_altered_or_replayed_later() -> None:
    body = json.dumps(EVENT).encode()
    value = signing.header(SECRET, 1_800_000_000, body)
    assert signing.verify(SECRET, value, body, 1_800_000_100) == 1_800_000_000
    for bad_body, now in ((body.replace(b"GL-1", b"GL-2"), 1_800_000_100), (body, 1_800_000_000 + 301)):
        with pytest.raises(signing.BadSignature):
            signing.verify(SECRET, value, bad_body, now)
    for header in ("", "t=abc,v1=00", "v1=" + "0" * 64, "t=1800000000", "t=" + "9" * 40 + ",v1=00"):
        with pytest.raises(signing.BadSignature):
            signing.verify(SECRET, header, body, 1_800_000_000)


@pytest.mark.parametrize(("status", "outcome"), [(500, Outcome.RETRY), (503, Outcome.RETRY), (429, Outcome.RETRY),
                                                 (410, Outcome.STOP), (404, Outcome.DEAD)])
async def test_answers_by_meaning_and_a_retry_is_one_delivery(hook: Hook, status: int, outcome: Outcome) -> None:
    hook.receiver.fail.append(status)
    first = await hook.channel().send(env())
    assert (first.outcome, first.code) == (outcome, status)
    if outcome is Outcome.RETRY:
        assert first.retry_after_s == 1.0  # the receiver's Retry-After
        assert (await hook.channel().send(env())).outcome is Outcome.DELIVERED
        assert (await hook.channel().send(env())).outcome is Outcome.DELIVERED  # at least once: a copy…
        assert len(hook.receiver.events) == 1  # …which the receiver drops by X-Gridline-Delivery


async def test_no_answer_retries_and_an_unknown_subscriber_stops(hook: Hook) -> None:
    down = await hook.channel(url="http://127.0.0.1:9/hook").send(env())
    assert down.outcome is Outcome.RETRY
    gone = await hook.channel().send(env("left-last-week"))
    assert gone.outcome is Outcome.STOP and not hook.receiver.events
