"""Photos and WeCom sign-in on a phone: Debian's Chromium at 360 × 740, driven by Playwright.

处置反馈 with a photo picked on the phone (shrunk in the browser first) → stored watermarked, its SHA-256
in the audit event, shown on the case page through the staff media route; and a task card opened inside
WeCom signs in through the (fake) WeCom web OAuth with no tap at all.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

from PIL import Image

from intake.store.models import Case, CaseEvent, Media
from tests.bot.conftest import walk
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_signin import WXWORK
from tests.bot.worker.wecom_site import WeComSite, link, wecom_site, wecom_site_shared  # noqa: F401

if TYPE_CHECKING:
    from playwright.async_api import Browser

PHONE = {"width": 360, "height": 740}
WAIT_MS = 15_000


def camera_photo() -> bytes:
    """A 2400 × 1800 photo, as a phone camera takes it (bigger than the page uploads)."""
    out = io.BytesIO()
    image = Image.effect_noise((2400, 1800), 40).convert("RGB")
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


async def test_handled_with_a_photo_on_a_phone(browser: Browser, site: Site, uid: str) -> None:
    case_no = await walk(site.api, "handling", f"wbf-{uid}")
    lat, lng = site.api.point(site.api.leaves[0])
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        geolocation={"latitude": lat, "longitude": lng, "accuracy": 10},
                                        permissions=["geolocation"])
    page = await context.new_page()
    try:
        await page.goto(site.url(site.link("w1", case_no, action="handle")))
        await page.wait_for_selector("#act-handle input[name=photo]", timeout=WAIT_MS)
        await page.set_input_files("#act-handle input[name=photo]",
                                   {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()})
        await page.wait_for_selector("#act-handle input[name=photo][data-ready='1']", state="attached",
                                     timeout=WAIT_MS)  # shrunk (the page's CSP allows no eval: selectors only)
        await page.fill("#act-handle textarea[name=note]", "垃圾已清运，现场照片见附件")
        await page.click("#act-handle button[type=submit]")
        await page.wait_for_selector("#status[data-status=handled]", timeout=WAIT_MS)
        img = page.locator("#photos img")
        await img.wait_for(timeout=WAIT_MS)
        await page.wait_for_load_state("load")
        # Served by the staff media route once watermarked, just after the answer (photo.js retries a 503).
        for _ in range(WAIT_MS // 100):
            if await img.evaluate("i => i.complete && i.naturalWidth"):
                break
            await asyncio.sleep(0.1)
        assert await img.evaluate("i => i.complete && i.naturalWidth") > 0
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        await context.close()
    assert (await Case.get(case_no=case_no)).status == "handled"
    row = await Media.get(case_no=case_no, source="staff")
    assert max(row.width, row.height) == 1600  # shrunk in the browser before upload
    stored = Image.open(site.api.svc.home / "media" / row.path)
    assert stored.convert("RGB").getpixel((1, stored.height - 1))[0] < 120  # the watermark's band
    event = await CaseEvent.get(case_no=case_no, action="handle")
    assert event.attachments == [row.media_id]
    assert event.data["photos"][0]["original_sha256"] == row.original_sha256 and len(row.original_sha256 or "") == 64


async def test_a_card_opened_in_wecom_signs_in_through_oauth(browser: Browser, wecom_site: WeComSite,  # noqa: F811
                                                             uid: str) -> None:
    case_no = await walk(wecom_site.api, "dispatched", f"wbo-{uid}")
    await link(wecom_site, "w1", f"chen-{uid}")  # the worker the case was dispatched to
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        user_agent=WXWORK)
    page = await context.new_page()
    try:
        await page.goto(wecom_site.url(f"/worker/cases/{case_no}?action=accept"))
        await page.wait_for_selector("#act-accept.focus", timeout=WAIT_MS)
        assert f"/worker/cases/{case_no}" in page.url
        await page.click("#act-accept button[type=submit]")
        await page.wait_for_selector(".flash.ok", timeout=WAIT_MS)
    finally:
        await context.close()
    assert (await Case.get(case_no=case_no)).status == "handling"
    assert "wecom_authorize" in wecom_site.fake.calls and "wecom_getuserinfo" in wecom_site.fake.calls
