"""The demo city's sandbox WeCom groups: a dispatched demo case's task card is delivered, not stopped."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.demo import DEMO_BY, store_demo_groups
from bot.settings import load_settings
from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.grid.demo import DEMO_KEY_PREFIX, build_demo_city
from intake.grid.model import Level
from intake.store.models_outbox import GridGroup, OutboxMessage
from notify.channels.local import SandboxChannel
from outbox import runner
from outbox.notifier import OutboxNotifier
from tests.conftest import Services, state_dirs


async def test_a_dispatched_demo_case_reaches_its_community_group_in_the_sandbox(svc: Services, uid: str) -> None:
    cells = build_demo_city(None).cells
    leaf = svc.ctx.grid.index.leaves[11].code
    chain = [c.code for c in svc.ctx.grid.index.chain(leaf)]
    await GridGroup.filter(grid_code__in=chain).exclude(updated_by=DEMO_BY).delete()
    made = await store_demo_groups(cells)
    try:
        groups = dict(await GridGroup.filter(updated_by=DEMO_BY).values_list("grid_code", "webhook_key"))
        wanted = {c.code for c in cells if c.level in (Level.STREET, Level.COMMUNITY)}
        assert made == len(groups) and set(groups) <= wanted and len(groups) >= len(wanted) - 3
        assert all(k.startswith(DEMO_KEY_PREFIX) for k in groups.values())
        settings = load_settings({"GRIDLINE_DATABASE_URL": svc.url, "GRIDLINE_OUTBOX_STREAM": f"test:demo:{uid}",
                                  **state_dirs(svc.home)})
        assert settings.outbox.kind == "sandbox"
        ctx = dataclasses.replace(svc.ctx, notifier=OutboxNotifier(svc.clock))
        lng, lat = svc.ctx.grid.index.centroid(leaf)
        opened = await open_case(ctx, NewReport("test", uid, "路边有人乱扔垃圾，暴露垃圾没人管", lng, lat,
                                               category="06010"))
        assert opened.assignee is not None, "06010 (暴露垃圾) is handled by the cell's worker"
        sandbox = SandboxChannel()
        built = runner.build(settings.outbox, svc.clock, consumer=f"d{uid}", sandbox=sandbox)
        built.start()
        try:
            tasks = OutboxMessage.filter(case_no=opened.case.case_no, kind="case.task")
            for _ in range(100):
                if await tasks.filter(status="delivered").exists():
                    break
                await asyncio.sleep(0.1)
        finally:
            await built.close()
        assert [t.status for t in await tasks] == ["delivered"]
        community = leaf[:12]
        # Other tests' dispatched cases in the shared database may reach the same group: ours went there once.
        ours = {str(t.id) for t in await tasks}
        assert [e.kind for e in sandbox.for_address(groups[community]) if e.id in ours] == ["case.task"]
    finally:
        await GridGroup.filter(updated_by=DEMO_BY).delete()
