"""The relay + sender as the app runs them in-process: in-memory queue without Redis, a Redis Stream with it;
sandbox mode ends every channel in the recorded sandbox."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import load_settings
from intake.store.models_outbox import GridGroup, OutboxMessage
from notify.channels.local import BlackholeChannel, SandboxChannel
from notify.queue import MemoryQueue
from notify.queue_redis import RedisStreamQueue
from notify.types import Notification, Recipient
from outbox import runner
from outbox.config import OutboxConfig
from outbox.notifier import OutboxNotifier
from tests.conftest import Services, state_dirs


@pytest.mark.parametrize("with_redis", [False, True])
async def test_in_process_sender_delivers_to_the_sandbox(svc: Services, uid: str, with_redis: bool,
                                                         request: pytest.FixtureRequest) -> None:
    env = {"GRIDLINE_DATABASE_URL": svc.url, "GRIDLINE_OUTBOX_STREAM": f"test:runner:{uid}", **state_dirs(svc.home)}
    if with_redis:
        env["GRIDLINE_REDIS_URL"] = request.getfixturevalue("redis_url")
    settings = load_settings(env)
    leaf = svc.ctx.grid.index.leaves[-3].code
    await GridGroup.filter(grid_code=leaf).delete()
    await GridGroup.create(grid_code=leaf, webhook_key=f"run-{uid}", updated_at=svc.clock.now, updated_by="t")
    sandbox = SandboxChannel()
    built = runner.build(settings.outbox, svc.clock, consumer=f"t{uid}", sandbox=sandbox)
    assert isinstance(built.queue, RedisStreamQueue if with_redis else MemoryQueue)
    assert set(built.channels.values()) == {sandbox}
    keys = [f"run{i}{uid}" for i in range(3)]
    await OutboxNotifier(svc.clock).publish([Notification("case.task", Recipient("grid_group", leaf), k) for k in keys])
    built.start()
    try:
        for _ in range(100):
            if await OutboxMessage.filter(key__in=keys, status="delivered").count() == len(keys):
                break
            await asyncio.sleep(0.1)
    finally:
        await built.close()
    # (other tests' messages still pending for workers of that cell may go to its group in the same run)
    assert set(keys) <= {e.key for e in sandbox.for_address(f"run-{uid}")}


async def test_production_without_credentials_has_only_the_robot_and_staging_drops_everything() -> None:
    live = runner.build(load_settings({"GRIDLINE_OUTBOUND": "live"}).outbox)
    assert set(live.channels) == {"wecom_robot"}  # the rest dead-letter by name until configured
    full = runner.build(load_settings({
        "GRIDLINE_OUTBOUND": "live", "GRIDLINE_WECHAT_APPID": "wx1", "GRIDLINE_WECHAT_SECRET": "s" * 32,
        "GRIDLINE_SMTP_URL": "smtp://h:25", "GRIDLINE_MP_APPID": "wx2", "GRIDLINE_MP_SECRET": "t" * 32}).outbox)
    assert {"wechat_cs", "wechat_subscribe", "wechat_template", "mp_subscribe", "email"} <= set(full.channels)
    staging = runner.build(OutboxConfig(kind="blackhole"))
    assert {type(c) for c in staging.channels.values()} == {BlackholeChannel}
    for built in (live, full, staging):
        await built.close()


def test_a_rate_for_an_unknown_channel_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown channels wechat_sc"):
        OutboxConfig(rates={"wechat_sc": 10.0, "wecom_robot": 20.0})
    with pytest.raises(ValueError, match="unknown channels robot:\\*"):
        OutboxConfig(rates={"robot:*": 0.33})
    rates = {"wecom_robot": 20.0, "wecom_robot:*": 0.33, "wechat_cs:oAbc": 1.0}  # channel, per address, one address
    assert OutboxConfig(rates=rates).rates == rates
