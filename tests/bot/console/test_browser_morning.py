"""A dispatcher's morning at the desk, in Debian's Chromium driven by Playwright (#14).

A resident's case appears in the new queue, and the new queue's count goes up by itself when another
arrives (server-sent events); open it, 立案 by the keyboard, dispatch it to the suggested
department; find an overdue case and 督办 it; tick two new cases and 立案 both at once; sign out.
Screenshots of the desk and the case page (1280×800) are taken on the way; with
``GRIDLINE_TEST_SCREENSHOTS=docs/screenshots`` they are kept there (the README's come from this test).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from intake.store.models import Case, CaseEvent
from tests import screens
from tests.bot.conftest import Api, open_case, walk
from tests.bot.console.conftest import PASSWORD
from tests.bot.console.test_map_stats import empty_leaf
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

WAIT_MS = 15_000


async def _shot(page: Page, tmp_path: Path, name: str) -> None:
    folder = screens.folder() or tmp_path
    drawn = await page.screenshot(path=str(folder / name), full_page=False)  # Playwright makes the folder
    assert len(drawn) > 10_000  # a page was drawn, not a blank


async def test_a_dispatchers_morning(browser: Browser, console: Api, uid: str, tmp_path: Path) -> None:
    # In a cell of its own: the overdue queue shows the 100 due first, and this shared database holds other
    # tests' open cases in the usual cells, as overdue as this one at the moment it is read.
    late = await walk(console, "handling", f"morning-late-{uid}", leaf=await empty_leaf(console))
    resident = await open_case(console, f"morning-{uid}", description=f"小区门口路灯不亮，晚上很黑 {uid}",
                               channel="wechat")
    pair = [await open_case(console, f"morning-b{i}-{uid}", description=f"井盖松动 {i} {uid}") for i in range(2)]
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    try:
        await page.goto(str(console.client.make_url("/console/")))
        await page.fill("input[name=account]", str(console.staff["street"].user_id))
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form.act button")
        await page.wait_for_selector(f"tr[data-case='{resident}']", timeout=WAIT_MS)
        assert "派遣台" in await page.inner_text("nav.sections")  # the Chinese section bar
        await page.wait_for_selector("body[data-live=open]", timeout=WAIT_MS)  # the counts stream is open
        await _shot(page, tmp_path, "console-desk.png")
        before = int(await page.inner_text("[data-queue=new]"))
        await open_case(console, f"morning-live-{uid}", description=f"垃圾桶满了 {uid}", channel="wechat")
        for _ in range(100):  # pushed by the server: no reload, no poll
            if int(await page.inner_text("[data-queue=new]")) > before:
                break
            await asyncio.sleep(0.1)
        assert int(await page.inner_text("[data-queue=new]")) > before
        await page.click(f"a[href='/console/cases/{resident}']")
        await page.wait_for_selector("#status[data-status=reported]", timeout=WAIT_MS)
        await page.wait_for_selector("html[data-keys=on]", state="attached", timeout=WAIT_MS)  # case.js listens
        await page.keyboard.press("r")  # 立案 by its shortcut
        await page.wait_for_selector("#status[data-status=registered]", timeout=WAIT_MS)
        suggested = await page.get_attribute("form[data-action=dispatch] option[data-suggested]", "value")
        assert suggested
        await _shot(page, tmp_path, "console-case.png")
        await page.click("form[data-action=dispatch] button")
        await page.wait_for_selector("#status[data-status=dispatched]", timeout=WAIT_MS)

        console.svc.clock.advance(hours=400)  # the morning after: the handling case is overdue
        cell = (await Case.get(case_no=late)).grid_code
        await page.goto(str(console.client.make_url(f"/console/?queue=overdue&area={cell}")))
        await page.click(f"a[href='/console/cases/{late}']")
        await page.fill("form[data-action=supervise] textarea[name=note]", "今天下班前处理完")
        await page.click("form[data-action=supervise] button")
        await page.wait_for_selector(".flash.ok", timeout=WAIT_MS)

        await page.goto(str(console.client.make_url("/console/?queue=new")))
        for case_no in pair:
            await page.check(f"tr[data-case='{case_no}'] input[name=case_no]")
        await page.select_option("#bulk select[name=action]", "register")
        await page.click("#bulk button")
        for case_no in pair:
            await page.wait_for_selector(f"tr[data-case='{case_no}'].ok", timeout=WAIT_MS)
        await page.click(".bar .out button")
        await page.wait_for_selector("input[name=password]", timeout=WAIT_MS)
    finally:
        await context.close()
    dispatched = await Case.get(case_no=resident)
    assert dispatched.status == "dispatched" and dispatched.assignee_department == suggested
    assert await CaseEvent.filter(case_no=late, action="supervise", role="dispatcher").exists()
    assert {(await Case.get(case_no=c)).status for c in pair} == {"registered"}
