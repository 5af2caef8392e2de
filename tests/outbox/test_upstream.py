"""Cases pushed to the upstream Open311 platform through the outbox: once, retried, their status read back."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer

from bot.settings import SettingsError, load_settings
from intake.audit import verify
from intake.cases import repo
from intake.cases.context import CaseContext
from intake.cases.intake import open_case
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.policy import OutwardPolicy
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.store.models_outbox import OutboxMessage
from intake.store.models_workflow import UpstreamRequest
from notify.channels.open311 import Open311Channel
from notify.http import Http
from notify.open311 import Created, Open311Client
from notify.queue import MemoryQueue
from notify.ratelimit import MemoryRateLimiter
from notify.sender import Sender, SenderConfig
from notify.types import ChannelName
from outbox import runner, upstream
from outbox.notifier import OutboxNotifier
from outbox.store import DbOutboxStore
from tests.conftest import Services
from tests.fakes.open311_upstream import FakeUpstream, error
from tests.outbox.conftest import decisions, row

DESK = Actor("user:desk", "desk", Role.DISPATCHER)
STREETLIGHT = "01037"  # 路灯 in the shipped taxonomy


@pytest.fixture
async def platform() -> AsyncIterator[tuple[FakeUpstream, Open311Client]]:
    fake = FakeUpstream()
    server = TestServer(fake.app())
    await server.start_server()
    http = Http(timeout_s=2.0)
    yield fake, Open311Client(http, str(server.make_url("")), fake.api_key)
    await http.close()
    await server.close()


@pytest.fixture
def uctx(svc: Services) -> CaseContext:
    return dataclasses.replace(svc.ctx, notifier=OutboxNotifier(svc.clock),
                               outward=OutwardPolicy(upstream={STREETLIGHT: "streetlight"}))


async def _case(ctx: CaseContext, svc: Services, uid: str, category: str = STREETLIGHT) -> str:
    leaf = svc.ctx.grid.index.leaves[7]
    lng, lat = svc.ctx.grid.index.centroid(leaf.code)
    opened = await open_case(ctx, NewReport("test", uid, "路灯不亮了，晚上很黑", lng, lat, category=category))
    return opened.case.case_no


async def test_a_registered_case_goes_up_once_retries_and_reads_the_platforms_status(
        uctx: CaseContext, store: DbOutboxStore, svc: Services, uid: str,
        platform: tuple[FakeUpstream, Open311Client]) -> None:
    fake, client = platform
    case_no = await _case(uctx, svc, uid)
    assert not await OutboxMessage.filter(key=f"upstream:{case_no}").exists()  # not registered (立案) yet
    await act(uctx, case_no, DESK, ActionRequest("register"))
    await act(uctx, case_no, DESK, ActionRequest("comment", note="看过了"))
    msg = await row(f"upstream:{case_no}")
    assert msg.payload["service_code"] == "streetlight" and msg.payload["description"] == "路灯不亮了，晚上很黑"
    await store.route_pending(svc.clock.now, only=[msg.id])
    channel = Open311Channel(client, upstream.recorder(svc.clock))
    sender = Sender(store, MemoryQueue(), {ChannelName.UPSTREAM_OPEN311: channel}, MemoryRateLimiter(),
                    SenderConfig(consumer=f"t{uid}"), svc.clock)
    fake.fail.append(error(503, "maintenance"))
    await sender.handle(str(msg.id))
    retried = await row(msg.key)
    assert (retried.status, retried.last_code) == ("retry", 503) and not fake.posts
    svc.clock.now = retried.next_attempt_at + timedelta(seconds=1)
    await sender.handle(str(msg.id))
    assert (await row(msg.key)).status == "delivered" and len(fake.posts) == 1
    assert [d[2] for d in await decisions(msg.key)] == ["upstream", "retry", "delivered"]
    pushed = await UpstreamRequest.get(case_no=case_no)
    assert (pushed.service_code, pushed.status, pushed.token) == ("streetlight", "submitted", None)
    sid = pushed.service_request_id
    assert sid is not None
    fake.close(sid, "已更换灯泡")
    assert await upstream.poll(client, svc.clock.now) >= 1
    closed = await UpstreamRequest.get(case_no=case_no)
    assert (closed.status, closed.status_notes, closed.agency) == ("closed", "已更换灯泡", "区城管局")


async def test_the_platforms_closing_is_a_step_on_the_timeline_once_and_the_case_stays_open(
        uctx: CaseContext, svc: Services, uid: str, platform: tuple[FakeUpstream, Open311Client]) -> None:
    fake, client = platform
    case_no = await _case(uctx, svc, uid)
    await act(uctx, case_no, DESK, ActionRequest("register"))
    created = await client.create({"service_code": "streetlight", "description": "路灯", "address_string": "A"})
    await upstream.record_created(case_no, "streetlight", created, svc.clock.now)
    assert await upstream.poll(client, svc.clock.now) >= 0  # still open there: nothing on the timeline
    assert "upstream" not in [e.action for e in await repo.events(case_no)]
    fake.close(str(created.service_request_id), "已更换灯泡")
    svc.clock.now += timedelta(minutes=5)
    await upstream.poll(client, svc.clock.now)
    await UpstreamRequest.filter(case_no=case_no).update(status="open")  # as if that pass died before saving
    await upstream.poll(client, svc.clock.now + timedelta(minutes=5))
    events = await repo.events(case_no)
    [told] = [e for e in events if e.action == "upstream"]
    assert (told.role, told.note, told.from_status, told.to_status) == ("system", "upstream closed",
                                                                         "registered", "registered")
    assert told.data == {"service_request_id": created.service_request_id, "status": "closed",
                         "notes": "已更换灯泡", "agency": "区城管局"}
    case = await repo.get(case_no)
    assert (case.status, case.closed_at, case.last_seq) == ("registered", None, events[-1].seq)  # not closed here
    assert verify(case_no, [e.__dict__ | {"at": e.at} for e in events]) is None  # the chain holds the new step


async def test_a_token_becomes_an_id_on_the_next_poll(svc: Services, uid: str,
                                                      platform: tuple[FakeUpstream, Open311Client]) -> None:
    fake, client = platform
    fake.by_token = True
    created = await client.create({"service_code": "pothole", "description": "坑", "address_string": "A"})
    assert created.token is not None
    await upstream.record_created(f"GL-{uid}", "pothole", created, svc.clock.now)
    fake.fail.append(error(500, "down"))
    assert await upstream.poll(client, svc.clock.now) == 0  # the platform failed: nothing lost, tried again
    fake.publish(created.token)
    await upstream.poll(client, svc.clock.now)
    found = await UpstreamRequest.get(case_no=f"GL-{uid}")
    assert found.service_request_id == created.token.removeprefix("t") and found.status == "open"


async def test_a_token_the_platform_refuses_never_stops_the_others(
        svc: Services, uid: str, platform: tuple[FakeUpstream, Open311Client]) -> None:
    fake, client = platform
    await upstream.record_created(f"GL-{uid}-t", "pothole", Created(None, "tgone" + uid), svc.clock.now)  # 404 there
    created = await client.create({"service_code": "pothole", "description": "坑", "address_string": "A"})
    await upstream.record_created(f"GL-{uid}", "pothole", created, svc.clock.now)
    fake.close(str(created.service_request_id), "已修复")
    for _ in range(100):  # other tests' open requests share this database: read until ours is reached
        await upstream.poll(client, svc.clock.now)
        if (await UpstreamRequest.get(case_no=f"GL-{uid}")).status == "closed":
            break
        svc.clock.now += timedelta(minutes=1)
    assert (await UpstreamRequest.get(case_no=f"GL-{uid}")).status == "closed"
    refused = await UpstreamRequest.get(case_no=f"GL-{uid}-t")
    assert refused.service_request_id is None and refused.status == "submitted" and refused.polled_at is not None


async def test_a_request_never_read_is_read_before_the_ones_read_already(
        svc: Services, uid: str, platform: tuple[FakeUpstream, Open311Client]) -> None:
    fake, client = platform
    for n in range(3):
        made = await client.create({"service_code": "pothole", "description": "坑", "address_string": "A"})
        await upstream.record_created(f"GL-{uid}-{n}", "pothole", made, svc.clock.now)
    await UpstreamRequest.filter(case_no__startswith=f"GL-{uid}-").update(polled_at=svc.clock.now)  # read before
    # Every open request read already, in this shared database, stays read: ours is the only one never read.
    await UpstreamRequest.exclude(status="closed").filter(polled_at__isnull=True).update(polled_at=svc.clock.now)
    fresh = await client.create({"service_code": "pothole", "description": "坑", "address_string": "A"})
    await upstream.record_created(f"GL-{uid}", "pothole", fresh, svc.clock.now)
    fake.close(str(fresh.service_request_id), "已修复")
    assert await upstream.poll(client, svc.clock.now + timedelta(minutes=1), batch=2) >= 1
    assert (await UpstreamRequest.get(case_no=f"GL-{uid}")).status == "closed"  # it was in the batch of two


async def test_unmapped_categories_and_unconfigured_platforms_push_nothing(
        uctx: CaseContext, svc: Services, uid: str) -> None:
    other = await _case(uctx, svc, uid, category="01001")
    await act(uctx, other, DESK, ActionRequest("register"))
    plain = dataclasses.replace(uctx, outward=OutwardPolicy())
    mapped = await _case(plain, svc, uid + "b")
    await act(plain, mapped, DESK, ActionRequest("register"))
    assert not await OutboxMessage.filter(key__in=[f"upstream:{other}", f"upstream:{mapped}"]).exists()


async def test_settings_build_the_channel_and_refuse_half_a_configuration() -> None:
    env = {"GRIDLINE_OUTBOUND": "live", "GRIDLINE_UPSTREAM_OPEN311_URL": "https://12345.example.gov.cn/open311/v2",
           "GRIDLINE_UPSTREAM_OPEN311_API_KEY": "k" * 16, "GRIDLINE_UPSTREAM_SERVICES": "01037=streetlight"}
    settings = load_settings(env)
    assert settings.outward.upstream == {"01037": "streetlight"}
    built = runner.build(settings.outbox)
    assert isinstance(built.channels[ChannelName.UPSTREAM_OPEN311], Open311Channel) and built.upstream is not None
    await built.close()
    assert "k" * 16 not in repr(settings)
    for broken in ({"GRIDLINE_UPSTREAM_OPEN311_API_KEY": ""}, {"GRIDLINE_UPSTREAM_SERVICES": "01037"},
                   {"GRIDLINE_UPSTREAM_OPEN311_URL": "ftp://x"}):
        with pytest.raises(SettingsError, match="GRIDLINE_"):
            load_settings({**env, **broken})
    assert load_settings({}).outward.upstream == {}
