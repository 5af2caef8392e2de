"""The worker's day on a phone: Debian's Chromium at 360 × 740, driven by Playwright.

A task card's signed link opens the case signed in; 接单 then 处置反馈 are two taps, and the
database has the case handled. Without Chromium or Playwright this skips locally and fails in CI.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from intake.store.models import Case
from tests.bot.conftest import walk
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.bot.worker.conftest import Site

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route

PHONE = {"width": 360, "height": 740}
WAIT_MS = 15_000


async def test_a_card_link_then_accept_and_report_handled_on_a_phone(browser: Browser, site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wb-{uid}")
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no)))
        assert "sig=" not in page.url  # the signature does not stay in the address bar
        await page.wait_for_selector("#act-accept.focus", timeout=WAIT_MS)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        await page.click("#act-accept button[type=submit]")
        await page.wait_for_selector(".flash.ok", timeout=WAIT_MS)
        assert await page.get_attribute("#status", "data-status") == "handling"
        await page.fill("#act-handle textarea[name=note]", "路灯已更换，恢复照明")
        await page.click("#act-handle button[type=submit]")
        await page.wait_for_selector("#status[data-status=handled]", timeout=WAIT_MS)
        assert "反馈处置结果" in await page.inner_text(".flash.ok")
        await page.goto(site.url("/worker/"))
        assert await page.inner_text("h1") == "我的任务"
    finally:
        await context.close()
    assert (await Case.get(case_no=case_no)).status == "handled"


async def test_a_patrol_report_takes_the_phones_position(browser: Browser, site: Site, uid: str) -> None:
    case_no = await walk(site.api, "dispatched", f"wbp-{uid}")
    lat, lng = site.api.point(site.api.leaves[1])
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        geolocation={"latitude": lat, "longitude": lng, "accuracy": 8},
                                        permissions=["geolocation"])
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no)))
        await page.goto(site.url("/worker/"))
        await page.click("a.button[href='/worker/report']")
        await page.fill("textarea[name=description]", f"巡查发现井盖缺失 {uid}")
        await page.click("#locate")
        for _ in range(WAIT_MS // 100):  # (wait_for_function evaluates a string: the page's CSP forbids that)
            if await page.input_value("input[name=lat]"):
                break
            await asyncio.sleep(0.1)
        assert await page.input_value("input[name=lat]"), "no position filled in"
        assert "±8 m" in await page.inner_text("#where")
        await page.click("#patrol button[type=submit]")
        await _flash_ok(page)
        assert "已上报" in await page.inner_text(".flash.ok")
    finally:
        await context.close()
    case = await Case.get(description=f"巡查发现井盖缺失 {uid}")
    assert case.channel == "worker" and case.grid_code == site.api.leaves[1]


async def _flash_ok(page: Page) -> None:
    """Wait for the ok flash; if it never comes, fail with what the page said instead (one CI run under
    load timed out here with nothing to go on, and the test passes alone)."""
    try:
        await page.wait_for_selector(".flash.ok", timeout=WAIT_MS)
    except Exception as exc:
        said = await page.inner_text("body") if not page.is_closed() else "(closed)"
        raise AssertionError(f"no ok flash at {page.url}: {said[:600]!r}") from exc


async def test_the_position_button_waits_for_its_script(browser: Browser, site: Site, uid: str) -> None:
    """A slow signal (or a busy server) delivers report.js late: a tap on 使用我的位置 before it ran must not
    be lost (it was: the button was live before its listener, and the position never came)."""
    case_no = await walk(site.api, "dispatched", f"wbs-{uid}")
    lat, lng = site.api.point(site.api.leaves[1])
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        geolocation={"latitude": lat, "longitude": lng, "accuracy": 8},
                                        permissions=["geolocation"], service_workers="block")

    async def late(route: Route) -> None:
        await asyncio.sleep(3)
        await route.continue_()

    await context.route("**/worker/static/report.js*", late)
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no)))
        await page.goto(site.url("/worker/report"), wait_until="commit")
        await page.click("#locate")
        for _ in range(WAIT_MS // 100):
            if await page.input_value("input[name=lat]"):
                break
            await asyncio.sleep(0.1)
        assert await page.input_value("input[name=lat]") == f"{lat:.6f}", "the tap was lost"
    finally:
        await context.close()
