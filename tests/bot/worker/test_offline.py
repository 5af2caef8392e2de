"""Offline on a phone (Debian's Chromium through Playwright): the service worker keeps my task pages, steps
taken without a signal wait in IndexedDB as 待发送 and are sent in order when it returns, each applied
once; a queued step the case has moved past is reported on the page, not lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.store.models import Case, CaseEvent, Media
from tests.bot.conftest import act, walk
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_browser import PHONE, WAIT_MS
from tests.bot.worker.test_browser_photos import camera_photo

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route

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


async def kept(page: Page, urls: list[str]) -> None:
    for _ in range(WAIT_MS // 100):  # the service worker fetches them in the background
        if await page.evaluate(KEPT, urls):
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"not kept for offline: {urls}")


async def lose_first_answer(route: Route, lost: list[str]) -> None:
    """The first queued POST reaches the server, whose answer is lost on the way back."""
    if route.request.method != "POST":
        await route.continue_()
        return
    key = await route.request.header_value("idempotency-key") or ""
    await route.fetch()
    await route.abort("connectionreset")
    lost.append(key)  # only now: the test unroutes once it is lost


async def test_a_photo_report_taken_offline_arrives_once_with_its_photo(browser: Browser, site: Site,
                                                                         uid: str) -> None:
    """处置反馈 with a photo in a basement: shrunk, queued in IndexedDB with the photo, sent when the signal
    returns (multipart, its key in the header), applied once with the photo stored and named by the step."""
    case_no = await walk(site.api, "handling", f"wqp-{uid}")
    lat, lng = site.api.point(site.api.leaves[0])
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        geolocation={"latitude": lat, "longitude": lng, "accuracy": 10},
                                        permissions=["geolocation"])
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no, action="handle")))
        await page.goto(site.url("/worker/"))
        await kept(page, [f"/worker/cases/{case_no}", "/worker/report"])
        await context.set_offline(True)
        await page.goto(site.url(f"/worker/cases/{case_no}"))  # the service worker's copy, its scripts cached
        await page.set_input_files("#act-handle input[name=photo]",
                                   {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()})
        await page.wait_for_selector("#act-handle input[name=photo][data-ready='1']", state="attached",
                                     timeout=WAIT_MS)  # shrunk offline
        await page.fill("#act-handle textarea[name=note]", "地下室积水已抽排")
        await page.click("#act-handle button[type=submit]")
        waiting = page.locator("#outbox li.waiting")
        await waiting.wait_for(timeout=WAIT_MS)
        assert "📷 1" in await waiting.inner_text()
        await page.reload()  # the queue (photo and all) outlives the page
        await waiting.wait_for(timeout=WAIT_MS)
        assert await CaseEvent.filter(case_no=case_no, action="handle").count() == 0
        lost: list[str] = []
        await page.route(f"**/worker/cases/{case_no}*", lambda route: lose_first_answer(route, lost))
        await context.set_offline(False)
        for _ in range(WAIT_MS // 100):
            if lost:
                break
            await page.wait_for_timeout(100)
        assert len(lost) == 1 and lost[0], "the queued form went with its key in the header"
        await waiting.wait_for(timeout=WAIT_MS)  # applied, but the phone never heard: it is still waiting
        await page.unroute_all()  # only the first answer is lost
        await context.set_offline(True)  # the signal flickers, and returns: the same key is sent again
        for _ in range(WAIT_MS // 100):  # (the page hears "online" only after it heard "offline")
            if not await page.evaluate("navigator.onLine"):
                break
            await page.wait_for_timeout(100)
        await context.set_offline(False)
        await page.wait_for_selector("#status[data-status=handled]", timeout=WAIT_MS)  # sent, then reloaded
        assert await page.locator("#outbox").count() == 0  # the replay answered as the first did: no conflict
    finally:
        await context.close()
    assert (await Case.get(case_no=case_no)).status == "handled"
    events = await CaseEvent.filter(case_no=case_no, action="handle")
    rows = await Media.filter(case_no=case_no, source="staff")
    assert len(events) == 1 and len(rows) == 1  # once, with its one photo
    assert events[0].attachments == [rows[0].media_id] and events[0].note == "地下室积水已抽排"
    assert max(rows[0].width, rows[0].height) == 1600  # the shrunk copy was queued, not the camera's original
    assert (site.api.svc.home / "media" / rows[0].path).is_file()


async def test_the_service_worker_is_served_for_all_of_worker_with_its_release(site: Site) -> None:
    async with site.phone() as phone, phone.get("/worker/sw.js") as resp:
        source = await resp.text()
        assert resp.status == 200 and resp.content_type == "application/javascript"
        assert resp.headers["Service-Worker-Allowed"] == "/worker/" and resp.headers["Cache-Control"] == "no-cache"
    assert "__VERSION__" not in source and "/worker/static/offline.js?v=" in source
    async with site.phone() as phone, phone.get("/worker/login") as resp:
        page = await resp.text()
    assert "/worker/static/offline.js?v=" in page and 'data-waiting="待发送"' in page
