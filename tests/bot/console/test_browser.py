"""The dispatcher's day at the desk: Debian's Chromium driven by Playwright.

Sign in, the desk lists a new case, open it, 立案, dispatch to the cell's worker; the database has
the case dispatched, with the water bureau as 协办. Without Chromium or Playwright this skips locally and fails in CI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.store.models import Case
from tests.bot.conftest import Api, open_case
from tests.bot.console.conftest import PASSWORD
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.async_api import Browser

WAIT_MS = 15_000


async def test_sign_in_register_and_dispatch_at_the_desk(browser: Browser, console: Api, uid: str) -> None:
    case_no = await open_case(console, f"cb-{uid}", description=f"路灯不亮 {uid}")
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    url = str(console.client.make_url("/console/"))
    try:
        await page.goto(url)  # no session: the sign-in form, then back to the desk
        await page.fill("input[name=account]", str(console.staff["street"].user_id))
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form.act button")
        await page.wait_for_selector(f"a[href='/console/cases/{case_no}']", timeout=WAIT_MS)
        assert int(await page.inner_text("[data-queue=new]")) >= 1
        await page.click(f"a[href='/console/cases/{case_no}']")
        await page.wait_for_selector("#status[data-status=reported]", timeout=WAIT_MS)
        await page.click("form[data-action=register] button")
        await page.wait_for_selector("#status[data-status=registered]", timeout=WAIT_MS)
        assert await page.is_visible(".flash.ok")
        await page.select_option("form[data-action=dispatch] select[name=user_id]",
                                 str(console.staff["w1"].user_id))
        await page.select_option("form[data-action=dispatch] select[name=assist_department]", ["440307-water"])
        await page.click("form[data-action=dispatch] button")
        await page.wait_for_selector("#status[data-status=dispatched]", timeout=WAIT_MS)
        assert await page.is_visible("tr[data-assist='1'][data-assist-status=pending]")  # 协办 on the page
    finally:
        await context.close()
    case = await Case.get(case_no=case_no)
    assert case.status == "dispatched" and case.assignee_user_id == console.staff["w1"].user_id
    helpers = [(a["kind"], a["ref"], a["status"]) for a in case.assists or []]
    assert helpers == [("department", "440307-water", "pending")]
