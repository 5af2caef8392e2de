"""The worker's main pages at 360 × 740 in Chinese: no sideways scroll, and their screenshots.

Screenshots go to a temporary folder; with GRIDLINE_TEST_SCREENSHOTS=docs/screenshots (tests/screens.py)
they replace the README's (docs/screenshots/worker-*.png).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests import screens
from tests.bot.conftest import walk
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_browser import PHONE, WAIT_MS

if TYPE_CHECKING:
    from playwright.async_api import Browser


async def test_my_tasks_case_and_alerts_pages_fit_a_phone(browser: Browser, site: Site, uid: str,
                                                          tmp_path: Path) -> None:
    folder = screens.folder() or tmp_path
    case_no = await walk(site.api, "dispatched", f"wp-{uid}")
    made = await site.api.call("POST", "/admin/v1/alerts", json={
        "signal": "台风", "colour": "orange", "area": {"grids": [site.api.leaves[0]]},
        "message": "台风“苏拉”将于今晚影响本区，请做好防御", "guidance": "加固户外设施，转移低洼地带人员",
        "instructions": "逐户通知低洼地带住户，18:00 前报告已通知户数"})
    assert made.status == 201, made.body
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        device_scale_factor=1)
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no)))
        await page.wait_for_selector("#act-accept", timeout=WAIT_MS)
        shots = {"worker-case.png": f"/worker/cases/{case_no}", "worker-tasks.png": "/worker/",
                 "worker-alerts.png": f"/worker/alerts?alert={made.body['id']}&grid={site.api.leaves[0]}"}
        for name, path in shots.items():
            await page.goto(site.url(path))
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
            if name == "worker-case.png":  # the place: street · community · cell, never "unknown"
                where = await page.inner_text("#place")
                assert "未知" not in where and where.count(" · ") >= 2, where
            await page.screenshot(path=str(folder / name))
            assert (folder / name).stat().st_size > 1000
        assert "苏拉" in await page.inner_text("main")
    finally:
        await context.close()
        assert (await site.api.call("POST", f"/admin/v1/alerts/{made.body['id']}/cancel")).status == 200
