"""Offline on a phone (Debian's Chromium through Playwright): the service worker keeps my task pages, steps
taken without a signal wait in IndexedDB as 待发送 and are sent in order when it returns, each applied
once; a queued step the case has moved past is reported on the page, not lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.store.models import CaseEvent
from tests.bot.conftest import act, walk
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_browser import PHONE, WAIT_MS

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

KEPT = "urls => caches.open('gl-pages').then(c => Promise.all(urls.map(u => c.match(u)))).then(r => r.every(Boolean))"


async def accepts(case_no: str) -> list[int]:
    return [e.id for e in await CaseEvent.filter(case_no=case_no, action="accept").order_by("id")]


async def queue_accept(page: Page, site: Site, case_no: str, queued: int) -> None:
    await page.goto(site.url(f"/worker/cases/{case_no}"))  # offline: the service worker's copy
    await page.click("#act-accept button[type=submit]")
    await page.locator("#outbox li.waiting").nth(queued - 1).wait_for(timeout=WAIT_MS)


async def test_steps_taken_offline_are_sent_once_in_order_and_a_conflict_is_reported(
        browser: Browser, site: Site, uid: str) -> None:
    first, second, moved = [await walk(site.api, "dispatched", f"wq{n}-{uid}") for n in range(3)]
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", first)))
        await page.goto(site.url("/worker/"))
        urls = [f"/worker/cases/{n}" for n in (first, second, moved)]
        for _ in range(WAIT_MS // 100):  # the service worker fetches them in the background
            if await page.evaluate(KEPT, urls):
                break
            await page.wait_for_timeout(100)
        assert await page.evaluate(KEPT, urls), "my open tasks' pages are kept for offline"
        await context.set_offline(True)
        await queue_accept(page, site, first, 1)
        await queue_accept(page, site, moved, 2)
        await queue_accept(page, site, second, 3)
        assert "待发送" in await page.inner_text("#outbox h2")
        assert await accepts(first) == [] and await accepts(second) == []
        # Meanwhile the worker accepted one of them from another phone: that queued step no longer fits.
        assert (await act(site.api, moved, "accept", "w1")).status == 200
        await context.set_offline(False)
        await page.wait_for_selector("#outbox li.conflict", timeout=WAIT_MS)
        assert "处置中" in await page.inner_text("#outbox li.conflict")
        assert await page.locator("#outbox li.waiting").count() == 0
    finally:
        await context.close()
    sent = await accepts(first), await accepts(second), await accepts(moved)
    assert [len(ids) for ids in sent] == [1, 1, 1]  # each exactly once; the moved case only from the other phone
    assert sent[0][0] < sent[1][0]  # in the order they were taken


async def test_the_service_worker_is_served_for_all_of_worker_with_its_release(site: Site) -> None:
    async with site.phone() as phone, phone.get("/worker/sw.js") as resp:
        source = await resp.text()
        assert resp.status == 200 and resp.content_type == "application/javascript"
        assert resp.headers["Service-Worker-Allowed"] == "/worker/" and resp.headers["Cache-Control"] == "no-cache"
    assert "__VERSION__" not in source and "/worker/static/offline.js?v=" in source
    async with site.phone() as phone, phone.get("/worker/login") as resp:
        page = await resp.text()
    assert "/worker/static/offline.js?v=" in page and 'data-waiting="待发送"' in page
