"""An admin sets up the district in Debian's Chromium (Playwright): adds a worker and a grid group, sends the
group a test message that arrives at the fake WeCom server through the outbox, and imports a GeoJSON file
with one bad feature, seeing the report and nothing stored.

Screenshots of the users and categories pages (1280 × 800) go to ``GRIDLINE_TEST_SCREENSHOTS`` when set (the
README's pictures: ``docs/screenshots``). Without Chromium or Playwright this skips locally, fails in CI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp.test_utils import TestServer

from intake.store.models import Region, User
from intake.store.models_outbox import GridGroup, OutboxMessage
from outbox import runner
from outbox.config import OutboxConfig
from tests import screens
from tests.bot.conftest import Api
from tests.bot.console.conftest import PASSWORD
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.fakes.wechat_api import FakeWeChat
from tests.intake.grid_files import box, collection, district, feature

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

WAIT_MS = 20_000


@pytest.fixture
async def fake_wecom() -> AsyncIterator[tuple[FakeWeChat, str]]:
    fake = FakeWeChat()
    server = TestServer(fake.app())
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


async def deliver(api: Api, message: OutboxMessage, base: str) -> None:
    """Route and send one outbox row the way the app's sender does, to the fake's WeCom API."""
    out = runner.build(OutboxConfig(kind="live", wecom_api_base=base), api.svc.clock)
    try:
        await out.store.route_pending(api.svc.clock.now, only=[message.id])
        await out.sender.handle(str(message.id))
    finally:
        await out.close()


async def signed_in_page(browser: Browser, api: Api) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(str(api.client.make_url("/console/setup")))
    await page.fill("input[name=account]", str(api.staff["admin"].user_id))
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form.act button")
    await page.wait_for_selector("table#users", timeout=WAIT_MS)
    return page


def shot(name: str) -> Path | None:
    keep = screens.folder()
    return keep / f"console-setup-{name}.png" if keep else None


async def test_an_admin_adds_a_worker_and_a_group_and_the_test_message_arrives(
        browser: Browser, console: Api, uid: str, fake_wecom: tuple[FakeWeChat, str]) -> None:
    fake, base = fake_wecom
    grid, key = console.leaves[1][:12], f"robot-{uid}"  # the worker's community
    fake.robot_keys.add(key)
    await GridGroup.filter(grid_code=grid).delete()
    page = await signed_in_page(browser, console)
    try:
        form = page.locator("form[data-form=user-add]")
        await form.locator("input[name=name]").fill(f"浏览器网格员{uid}")
        await form.locator("select[name=role]").select_option("worker")
        await form.locator("input[name=grids]").fill(console.leaves[1])
        await form.locator("input[name=wecom_userid]").fill(f"wb-{uid}")
        await form.locator("button").click()
        await page.locator(".flash.ok", has_text=f"浏览器网格员{uid}").wait_for(timeout=WAIT_MS)
        if (path := shot("users")) is not None:
            await page.screenshot(path=str(path))
        await page.click("nav.tabs a[href='/console/setup/groups']")
        await page.fill("form[data-form=group-set] input[name=grid_code]", grid)
        await page.fill("form[data-form=group-set] input[name=webhook_key]", key)
        await page.click("form[data-form=group-set] button")
        row = page.locator(f"tr[data-grid='{grid}']")
        await row.wait_for(timeout=WAIT_MS)
        assert key not in await row.inner_text() and key[-4:] in await row.inner_text()
        await row.locator("button[value=test]").click()
        await page.locator(".flash.ok", has_text=grid).wait_for(timeout=WAIT_MS)
        await page.click("nav.tabs a[href='/console/setup/categories']")
        await page.wait_for_selector("table#categories", timeout=WAIT_MS)
        if (path := shot("categories")) is not None:
            await page.screenshot(path=str(path))
    finally:
        await page.context.close()
    worker = await User.get(name=f"浏览器网格员{uid}")
    assert worker.role == "worker" and worker.wecom_userid == f"wb-{uid}" and worker.active
    message = await OutboxMessage.filter(kind="group.test", recipient_ref=grid).order_by("-id").first()
    assert message is not None
    await deliver(console, message, base)
    arrived = [d for d in fake.gate.deliveries if d.api == "webhook_send" and d.to == key]
    assert len(arrived) == 1 and grid in arrived[0].payload["markdown"]["content"]
    assert (await OutboxMessage.get(id=message.id)).status == "delivered"
    await GridGroup.filter(grid_code=grid).delete()


async def test_a_grid_file_with_one_bad_feature_is_reported_and_nothing_stored(
        browser: Browser, console: Api, tmp_path: Path) -> None:
    bow = {"type": "Polygon", "coordinates": [[[113.01, 22.0], [113.02, 22.02], [113.02, 22.0], [113.01, 22.02],
                                               [113.01, 22.0]]]}
    (tmp_path / "grid.geojson").write_bytes(collection([*district("990131")[:2],
                                                        feature("990131002", "street", bow)]))
    page = await signed_in_page(browser, console)
    try:
        await page.click("nav.tabs a[href='/console/setup/grids']")
        await page.set_input_files("form[data-form=grid-upload] input[type=file]", str(tmp_path / "grid.geojson"))
        await page.click("form[data-form=grid-upload] button")
        await page.wait_for_selector("#report[data-ok=no]", timeout=WAIT_MS)
        problems = await page.inner_text("ol.problems")
        assert "feature 3 (990131002): invalid polygon: Self-intersection" in problems
        assert await page.locator("form[data-form=grid-confirm]").count() == 0
    finally:
        await page.context.close()
    assert not await Region.filter(code__startswith="990131").exists()
    assert box(0, 0, 1, 1)["type"] == "Polygon"
