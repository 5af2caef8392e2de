"""The map and statistics in Debian's Chromium (Playwright): a street's dispatcher sees cells and markers,
turns the heat map on, clicks a cell and opens the street's statistics with its charts; a supervisor
opens a worker's 考核 breakdown. Screenshots (1280×800) go to ``GRIDLINE_TEST_SCREENSHOTS``
(``tests/screens.py``), else to the test's tmp_path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from intake import passwords
from tests import screens
from tests.bot.conftest import WORKER_STREET, Api, open_case, walk
from tests.bot.console.conftest import PASSWORD
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

WAIT_MS = 20_000


async def _sign_in(browser: Browser, console: Api, who: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(str(console.client.make_url("/console/login")))
    await page.fill("input[name=account]", str(console.staff[who].user_id))
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form.act button")
    await page.wait_for_url("**/console/", timeout=WAIT_MS)
    return page


async def test_a_dispatcher_uses_the_map_and_the_street_statistics(browser: Browser, console: Api, uid: str,
                                                                   tmp_path: Path) -> None:
    shots = screens.folder() or tmp_path
    index = console.svc.ctx.grid.index
    street = [c.code for c in index.leaves if c.code.startswith(WORKER_STREET)]
    for n, leaf in enumerate((*console.leaves, *street[:: max(1, len(street) // 14)][:14])):
        placed = index.locate(*index.centroid(leaf))
        if placed is not None and placed.code == leaf:  # a leaf whose centroid lies in it
            await open_case(console, f"bm-{uid}-{n}", description=f"路灯不亮 {uid} {n}", leaf=leaf)
    page = await _sign_in(browser, console, "street")
    try:
        await page.goto(str(console.client.make_url("/console/map")))
        await page.wait_for_selector("#map[data-cells]:not([data-cells='0'])", timeout=WAIT_MS)
        await page.wait_for_selector("#map[data-markers]:not([data-markers='0'])", timeout=WAIT_MS)
        assert await page.locator(".leaflet-overlay-pane canvas").count() >= 1  # cells drawn on a canvas
        assert await page.locator(".marker-cluster, .leaflet-interactive").count() >= 1
        await page.check("#show-heat")
        await page.wait_for_selector("#map[data-heat]:not([data-heat='off']):not([data-heat='0'])", timeout=WAIT_MS)
        assert await page.locator("canvas.leaflet-heatmap-layer").count() == 1
        await page.screenshot(path=str(shots / "console-map.png"))
        await page.uncheck("#show-heat")
        await page.wait_for_selector("#map[data-heat='off']", timeout=WAIT_MS)
        assert await page.locator("canvas.leaflet-heatmap-layer").count() == 0
        # Click the first leaf's centroid where the map draws it (markers off: a case sits on that very
        # spot): the panel shows that cell (or the community holding it at this zoom), in the street.
        await page.uncheck("#show-cases")
        await page.wait_for_selector("#map[data-markers='0']", timeout=WAIT_MS)
        lat, lng = console.point(console.leaves[0])
        x, y = await page.evaluate(
            "([lat, lng]) => { const p = document.getElementById('map').leafletMap"
            ".latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [lat, lng])
        box = await page.locator("#map").bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + x, box["y"] + y)
        await page.wait_for_selector("#panel[data-cell]", timeout=WAIT_MS)
        cell = await page.get_attribute("#panel", "data-cell")
        assert cell and console.leaves[0].startswith(cell) and cell.startswith(WORKER_STREET)
        assert "网格员" in await page.inner_text("#panel") or "—" in await page.inner_text("#panel")
        street_stats = f"/console/stats?by=community&area={WORKER_STREET}&from=2026-11-01&order=received"
        await page.goto(str(console.client.make_url(street_stats)))
        await page.wait_for_selector("#trend-chart[data-ready]:not([data-ready='0'])", timeout=WAIT_MS)
        await page.wait_for_selector("#ranking-chart[data-ready]:not([data-ready='0'])", timeout=WAIT_MS)
        assert await page.locator("#trend-chart canvas").count() >= 1
        assert await page.locator(f"table.stats tr[data-key='{console.leaves[0][:12]}']").count() == 1
        await page.screenshot(path=str(shots / "console-stats.png"))
        assert not [e for e in page.errors if "Content Security Policy" in e], page.errors  # type: ignore[attr-defined]
    finally:
        await page.context.close()


async def test_a_supervisor_reads_a_workers_score_breakdown(browser: Browser, console: Api, uid: str) -> None:
    await walk(console, "closed", f"bs-{uid}")
    sup = console.staff["sup"].user_id
    assert sup is not None
    await passwords.set_password(sup, PASSWORD, console.svc.clock())
    page = await _sign_in(browser, console, "sup")
    try:
        await page.goto(str(console.client.make_url("/console/stats?by=worker&from=2026-11-01&order=score")))
        row = page.locator(f"table.stats tr[data-key='{console.staff['w1'].user_id}']")
        await row.locator("details.breakdown summary").click()
        on_time = row.locator("tr[data-part=on_time]")
        await on_time.wait_for(timeout=WAIT_MS)
        assert await on_time.is_visible()
        assert await row.locator("tr[data-part]").count() == 5  # on time, satisfaction, reopen, 督办, volume
        assert float(await row.locator("details.breakdown summary").inner_text()) > 0
    finally:
        await page.context.close()
