"""SMS through the outbox: who is texted (phone / hotline / Open311 residents, workers without a group), and what
the provider's answers do to the row (delivered, retried when a number's limit ends, stopped for good)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.store.models import Open311Submission, User
from intake.store.models_outbox import OutboxMessage
from notify.channels.sms import SmsChannel
from notify.http import Http
from notify.queue import MemoryQueue
from notify.ratelimit import MemoryRateLimiter
from notify.sender import Sender, SenderConfig
from notify.sms import SmsAccount, client_for
from notify.types import ChannelName, Notification, Recipient
from outbox.directory import Directory
from outbox.phones import e164
from outbox.router import ReachRouter, RouteConfig
from outbox.store import DbOutboxStore
from tests.conftest import Services
from tests.fakes.sms_api import FakeSms
from tests.outbox.conftest import decisions, row

QUIET = "01037"  # 路灯异常: waits for the dispatcher
TEMPLATE, STAFF = "1001", "SMS_100001"


def texting(staff: bool = True) -> DbOutboxStore:
    config = RouteConfig("https://grid.example.org", None, TEMPLATE, STAFF if staff else None)
    return DbOutboxStore(ReachRouter(Directory(ttl_s=0), config))


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSms, Http, str]]:
    sms = FakeSms()
    server = TestServer(sms.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield sms, http, str(server.make_url("/tencent/"))
    await http.close()
    await server.close()


async def routed(store: DbOutboxStore, svc: Services, key: str) -> OutboxMessage:
    await store.route_pending(svc.clock.now, only=[(await row(key)).id])
    return await row(key)


async def tell(octx: CaseContext, key: str, to: Recipient, kind: str = "case.register") -> None:
    await octx.notifier.publish([Notification(kind, to, key, case_no=None, payload={})])


@pytest.mark.parametrize(("raw", "number"), [
    ("138 0013 8000", "+8613800138000"), ("+86 139-0013-9000", "+8613900139000"),
    ("008615012345678", "+8615012345678"), ("010-62345678", None), ("12345678901", None), ("1" * 40, None),
    (None, None)])
def test_only_mainland_mobile_numbers_are_texted(raw: str | None, number: str | None) -> None:
    assert e164(raw) == number


async def test_a_hotline_caller_hears_by_sms(octx: CaseContext, svc: Services, uid: str) -> None:
    await tell(octx, f"h{uid}", Recipient("resident", "138 0013 8000", "hotline"), "case.dispatch")
    msg = await routed(texting(), svc, f"h{uid}")
    assert (msg.status, msg.channel, msg.address) == ("pending", ChannelName.SMS, "+8613800138000")
    assert msg.body == {"template": TEMPLATE, "params": ["-", "已派遣"]}


async def test_a_callers_survey_is_texted_with_the_survey_template(octx: CaseContext, svc: Services,
                                                                   uid: str) -> None:
    await tell(octx, f"s{uid}", Recipient("resident", "13800138000", "phone"), "survey.request")
    asked = DbOutboxStore(ReachRouter(Directory(ttl_s=0), RouteConfig("https://grid.example.org", None, TEMPLATE,
                                                                      sms_survey_template="1003")))
    msg = await routed(asked, svc, f"s{uid}")
    assert (msg.status, msg.channel, msg.address) == ("pending", ChannelName.SMS, "+8613800138000")
    assert msg.body == {"template": "1003", "params": ["-"]}
    await tell(octx, f"n{uid}", Recipient("resident", "13800138000", "phone"), "survey.request")
    unasked = await routed(texting(), svc, f"n{uid}")  # no survey template: never a progress text instead
    assert (unasked.status, unasked.channel) == ("stopped", "")


async def test_an_open311_reporter_is_texted_at_the_number_they_left(octx: CaseContext, svc: Services,
                                                                     uid: str) -> None:
    channel = f"open311:c{uid[:8]}"
    opened = await open_case(octx, NewReport(channel=channel, reporter=f"acct{uid}", description="路灯不亮了",
                                             category=QUIET))
    no = opened.case.case_no
    await Open311Submission.create(case_no=no, client=f"c{uid[:8]}", contact={"phone": "13900139000"},
                                   created_at=svc.clock.now)
    [message] = await OutboxMessage.filter(case_no=no, recipient_kind="resident")
    msg = await routed(texting(), svc, message.key)
    assert (msg.channel, msg.address) == (ChannelName.SMS, "+8613900139000")
    assert msg.body is not None and msg.body["params"] == [no, "已受理"]


@pytest.mark.parametrize(("ref", "store", "why"), [("010-62345678", texting(), "no mobile number"),
                                                   ("13800138000", DbOutboxStore(ReachRouter(
                                                       Directory(ttl_s=0), RouteConfig())), "no SMS provider")])
async def test_without_a_mobile_or_a_provider_the_message_stops(octx: CaseContext, svc: Services, uid: str, ref: str,
                                                                store: DbOutboxStore, why: str) -> None:
    await tell(octx, f"n{uid}", Recipient("resident", ref, "phone"))
    msg = await routed(store, svc, f"n{uid}")
    assert (msg.status, msg.channel) == ("stopped", "")
    [(_, _, decision)] = await decisions(f"n{uid}")
    assert decision == "stop"


async def test_only_a_cases_steps_are_texted(octx: CaseContext, svc: Services, uid: str) -> None:
    await tell(octx, f"sv{uid}", Recipient("resident", "13800138000", "hotline"), "survey.ask")
    msg = await routed(texting(), svc, f"sv{uid}")
    assert (msg.status, msg.channel) == ("stopped", "")


async def test_a_worker_whose_grid_has_no_group_gets_the_notice_by_sms(octx: CaseContext, svc: Services,
                                                                      uid: str) -> None:
    worker = await User.create(name=f"王{uid}", role="worker", token_hash=f"sms{uid}".ljust(64, "0"),
                               phone="13700137000")
    await octx.notifier.publish([Notification("case.urge", Recipient("worker", str(worker.id)), f"w{uid}",
                                              payload={"by": "张主任", "note": "请今天处理 13812345678"})])
    msg = await routed(texting(), svc, f"w{uid}")
    assert (msg.channel, msg.address) == (ChannelName.SMS, "+8613700137000")
    assert msg.body is not None and msg.body["template"] == STAFF
    assert "13812345678" not in msg.body["params"][0]  # masked like a group card
    await tell(octx, f"w2{uid}", Recipient("worker", str(worker.id)))
    assert (await routed(texting(staff=False), svc, f"w2{uid}")).status == "stopped"


async def test_provider_answers_decide_the_rows_fate(octx: CaseContext, svc: Services, uid: str,
                                                     fake: tuple[FakeSms, Http, str]) -> None:
    sms, http, base = fake
    sms.daily_limit = 1
    store = texting()
    for key, ref in ((f"a{uid}", "13800138000"), (f"b{uid}", "13800138000"), (f"c{uid}", "+8619912345678")):
        await tell(octx, key, Recipient("resident", ref, "phone"))
        await routed(store, svc, key)
    account = SmsAccount("tencent", sms.secret_id, sms.secret_key, "网格通", app_id=sms.app_id, api_base=base)
    sender = Sender(store, MemoryQueue(), {ChannelName.SMS: SmsChannel(client_for(http, account))},
                    MemoryRateLimiter(), SenderConfig(consumer=f"t{uid}"), lambda: svc.clock.now)
    for key in (f"a{uid}", f"b{uid}"):
        await sender.handle(str((await row(key)).id))
    sms.fail_next = ["InvalidParameterValue.IncorrectPhoneNumber"]  # a well-formed number the carrier refuses
    await sender.handle(str((await row(f"c{uid}")).id))
    first, limited, odd = [await row(k) for k in (f"a{uid}", f"b{uid}", f"c{uid}")]
    assert first.status == "delivered" and [s.phone for s in sms.sent] == ["+8613800138000"]
    assert limited.status == "retry" and limited.next_attempt_at > svc.clock.now
    assert (limited.last_error or "").startswith("LimitExceeded.PhoneNumberDailyLimit")
    assert odd.status == "stopped" and (odd.last_error or "").startswith("InvalidParameterValue.IncorrectPhoneNumber")
    assert len(sms.sent) == 1
