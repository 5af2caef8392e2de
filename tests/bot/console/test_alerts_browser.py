"""An admin's alert in Debian's Chromium: compose a blue alert for one street, the preview's counts equal
the API's preview, send, and the follow page shows a worker's acknowledgement arrive (polled).

With ``GRIDLINE_TEST_SCREENSHOTS=<folder>`` the compose-with-preview and follow pages are saved there at
1280 × 800 (the README's docs/screenshots/console-alerts-*.png). Skips locally without Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from intake.store.models import Resident
from intake.store.models_alerts import Alert
from tests import screens
from tests.bot.conftest import WORKER_STREET, Api
from tests.bot.console.conftest import PASSWORD
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.async_api import Browser

WAIT_MS = 20_000


async def test_compose_preview_send_and_see_an_acknowledgement(browser: Browser, console: Api, uid: str,
                                                               tmp_path: Path) -> None:
    shots = screens.folder() or tmp_path
    leaf = console.leaves[0]
    await Resident.create(channel="wechat", external_id=f"brw-{uid}", home_grid=leaf)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    try:
        await page.goto(str(console.client.make_url("/console/alerts")))
        await page.fill("input[name=account]", str(console.staff["admin"].user_id))
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form.act button")
        await page.wait_for_selector("#compose", timeout=WAIT_MS)
        await page.select_option("#signal", "01")
        await page.select_option("#colour", "blue")
        assert "台风蓝色预警" in await page.input_value("#message")  # prefilled from the standard
        await page.fill("#guidance", "关好门窗，远离广告牌")
        await page.fill("#instructions", "逐户通知独居老人，检查工地围挡")
        await page.select_option("#streets", WORKER_STREET)
        await page.click("#preview-btn")
        await page.wait_for_selector("#preview:not([hidden])", timeout=WAIT_MS)
        api = await console.call("POST", "/admin/v1/alerts/preview", json={
            "signal": "01", "colour": "blue", "message": "m", "area": {"grids": [WORKER_STREET]}})
        assert api.status == 200 and api.body["residents"] >= 1
        assert int(await page.inner_text("#pv-cells")) == api.body["cells"]
        assert int(await page.inner_text("#pv-residents")) == api.body["residents"]
        assert await page.is_enabled("#send-btn")
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(shots / "console-alerts-compose.png"))
        await page.click("#send-btn")
        await page.wait_for_selector("#follow", timeout=WAIT_MS)
        alert_id = int(page.url.rsplit("/", 1)[1])
        assert await page.inner_text("#t-acknowledged") == "0"
        ack = await console.call("POST", f"/admin/v1/alerts/{alert_id}/acks", "w1",
                                 json={"grid": leaf, "text": "已通知到户 8 户"})
        assert ack.status == 201
        await page.wait_for_selector(f"#cover-rows tr[data-grid='{leaf}'][data-state=acknowledged]", timeout=WAIT_MS)
        assert await page.inner_text("#t-acknowledged") == "1"
        await page.wait_for_timeout(500)  # the map's colours follow the same poll
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(shots / "console-alerts-follow.png"))
    finally:
        await context.close()
    alert = await Alert.get(id=alert_id)
    assert alert.colour == "blue" and alert.instructions == "逐户通知独居老人，检查工地围挡"
    # Cancelled: an alert left in force over 南澳 would be seen (and its cards sent) by other tests.
    assert (await console.call("POST", f"/admin/v1/alerts/{alert_id}/cancel")).status == 200


async def test_draw_a_polygon_and_a_circle_on_the_map(browser: Browser, console: Api) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    try:
        await page.goto(str(console.client.make_url("/console/alerts")))
        await page.fill("input[name=account]", str(console.staff["admin"].user_id))
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form.act button")
        await page.wait_for_selector("#compose", timeout=WAIT_MS)
        await page.click("[data-tool=polygon]")
        await page.locator("#map").scroll_into_view_if_needed()
        box = await page.locator("#map").bounding_box()
        assert box
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx, dy in ((-30, -30), (30, -30), (30, 30), (-30, 30), (-30, -30)):  # back on the first: closed
            await page.mouse.click(x + dx, y + dy)
        await page.click("#preview-btn")
        await page.wait_for_selector("#preview:not([hidden])", timeout=WAIT_MS)
        polygon_cells = int(await page.inner_text("#pv-cells"))
        assert polygon_cells > 0
        await page.click("[data-tool=clear]")
        await page.click("[data-tool=circle]")
        await page.locator("#map").scroll_into_view_if_needed()
        box = await page.locator("#map").bounding_box()  # the buttons' clicks may have scrolled the page
        assert box
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await page.mouse.click(x, y)
        await page.mouse.click(x + 60, y)
        await page.click("#preview-btn")
        for _ in range(100):  # the page's CSP forbids wait_for_function's eval: poll from here
            if await page.inner_text("#pv-cells") != str(polygon_cells):
                break
            await page.wait_for_timeout(200)
        # The preview zoomed the map onto the polygon's cells: the circle is drawn at that zoom, a new area.
        assert 0 < int(await page.inner_text("#pv-cells")) != polygon_cells
    finally:
        await context.close()
