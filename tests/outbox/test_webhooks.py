"""Case events to webhook subscribers through the outbox: written with the step, signed, retried, verified."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer

from bot import webhook_config
from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.policy import OutwardPolicy
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.store.models_outbox import OutboxMessage
from notify.channels.webhook import Subscriber, WebhookChannel
from notify.http import Http
from notify.queue import MemoryQueue
from notify.ratelimit import MemoryRateLimiter
from notify.sender import Sender, SenderConfig
from notify.types import ChannelName
from outbox.notifier import OutboxNotifier
from outbox.store import DbOutboxStore
from tests.conftest import Services
from tests.fakes.webhook_receiver import Receiver
from tests.outbox.conftest import row

DESK = Actor("user:desk", "desk", Role.DISPATCHER)
SECRET = "whsec-" + "a1" * 12


@pytest.fixture
async def receiver(svc: Services) -> AsyncIterator[tuple[Receiver, str]]:
    got = Receiver(SECRET, clock=lambda: svc.clock.now.timestamp())  # the test's clock signs and checks
    server = TestServer(got.app())
    await server.start_server()
    yield got, str(server.make_url("/hook"))
    await server.close()


async def test_steps_reach_the_subscribers_that_follow_them_signed_and_retried(
        svc: Services, store: DbOutboxStore, uid: str, receiver: tuple[Receiver, str]) -> None:
    got, url = receiver
    ctx: CaseContext = dataclasses.replace(svc.ctx, notifier=OutboxNotifier(svc.clock), outward=OutwardPolicy(
        webhooks={"city": frozenset({"open", "reject"}), "all": frozenset({"*"})}))
    leaf = svc.ctx.grid.index.leaves[9]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    opened = await open_case(ctx, NewReport("test", uid, "井盖丢了 13800138000", lng, lat, category="01037"))
    case_no = opened.case.case_no
    await act(ctx, case_no, DESK, ActionRequest("comment", note="已电话联系"))
    await act(ctx, case_no, DESK, ActionRequest("reject", note="重复上报"))
    rows = await OutboxMessage.filter(case_no=case_no, recipient_kind="subscriber").order_by("id")
    assert [(r.recipient_ref, r.kind) for r in rows] == [
        ("city", "case.open"), ("all", "case.open"), ("all", "case.comment"), ("city", "case.reject"),
        ("all", "case.reject")]
    assert all("13800138000" not in str(r.payload) and "description" not in r.payload for r in rows)
    city = [r for r in rows if r.recipient_ref == "city"]
    http = Http(timeout_s=2.0)
    channel = WebhookChannel(http, {"city": Subscriber(url, SECRET)}, lambda: svc.clock.now.timestamp())
    sender = Sender(store, MemoryQueue(), {ChannelName.WEBHOOK: channel}, MemoryRateLimiter(),
                    SenderConfig(consumer=f"w{uid}"), svc.clock)
    got.fail.append(503)
    try:
        for r in city:
            await store.route_pending(svc.clock.now, only=[r.id])
            await sender.handle(str(r.id))
        retried = await row(city[0].key)
        assert (retried.status, retried.last_code) == ("retry", 503)
        svc.clock.now = retried.next_attempt_at + timedelta(seconds=1)
        await sender.handle(str(city[0].id))
    finally:
        await http.close()
    assert {(await row(r.key)).status for r in city} == {"delivered"}
    assert sorted(e["event"] for e in got.events) == ["case.open", "case.reject"] and not got.refused
    opened = next(e for e in got.events if e["event"] == "case.open")
    assert (opened["case_no"], opened["id"], opened["seq"]) == (case_no, city[0].key, city[0].payload["seq"])


@pytest.mark.parametrize(("text", "why"), [
    ("{", "not JSON"),
    ('{"name": "x"}', "JSON list"),
    ('[{"name": "City!", "url": "https://a", "secret": "' + "s" * 16 + '"}]', "name must be"),
    ('[{"name": "c", "url": "file:///etc/passwd", "secret": "' + "s" * 16 + '"}]', "url must be"),
    ('[{"name": "c", "url": "https://a", "secret": "short"}]', "secret must be"),
    ('[{"name": "c", "url": "https://a", "secret": "' + "s" * 16 + '", "events": ["explode"]}]', "unknown events"),
    ('[{"name": "c", "url": "https://a", "secret": "' + "s" * 16 + '", "events": "open"}]', "events must be"),
    ('[' + ",".join(['{"name": "c", "url": "https://a", "secret": "' + "s" * 16 + '"}'] * 2) + ']', "named twice"),
    ("[" + ",".join(["{}"] * 21) + "]", "at most 20"),
])
def test_bad_subscriber_lists_are_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        webhook_config.parse(text)
