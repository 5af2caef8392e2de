"""The simulator in a real browser: Debian's Chromium driven by Playwright, the app on a real port.

The page signs in JavaScript, draws the map itself and polls the pushes, none of which the HTTP
tests see. Without Chromium or Playwright these tests skip locally and fail in CI.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp import web

from bot.app import create_app
from bot.keys import CASES, OUTBOUND
from bot.settings import load_settings
from intake.grid.model import Datum
from intake.store.models import Case, InboundMessage
from intake.store.models_outbox import OutboxMessage
from notify.types import Notification, Recipient
from tests import screens
from tests.conftest import Services, state_dirs, unavailable

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CASE_NO = re.compile(r"\d{6}-\d{8}-\d{5}-\d")
# The README's picture comes from here with GRIDLINE_TEST_SCREENSHOTS=docs/screenshots.
SCREENSHOT = (screens.folder() or Path("/tmp")) / "sandbox.png"
WAIT_MS = 15_000
# A 1 × 1 transparent PNG: the page only shows it; WeChat would host it.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system Chromium (Playwright's own browser download is never used), and Playwright itself."""
    if importlib.util.find_spec("playwright") is None:
        unavailable("Playwright (pip install playwright)", ModuleNotFoundError("playwright"))
    if not Path(CHROMIUM).is_file():
        unavailable("Chromium (apt-get install -y chromium)", FileNotFoundError(CHROMIUM))
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright  # present: the chromium fixture checked

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
async def served(services: Services) -> AsyncIterator[tuple[str, web.Application]]:
    """The sandbox app on 127.0.0.1 at a free port, so the browser talks real HTTP to it."""
    settings = load_settings({"GRIDLINE_DATABASE_URL": services.url, **state_dirs(services.home)})
    app = create_app(settings, clock=services.clock, sweeper=False, own_database=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}", app
    await runner.cleanup()


@pytest.fixture(scope="module")
def base_url(served: tuple[str, web.Application]) -> str:
    return served[0]


async def open_sandbox(browser: Browser, base_url: str, *, secure: bool = True) -> tuple[Page, str]:
    page = await browser.new_page(viewport={"width": 1360, "height": 860})
    if not secure:  # as if opened at a LAN address: no crypto.subtle, the page's own SHA-1 signs
        await page.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined})")
    await page.goto(f"{base_url}/sandbox")
    await page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    await bot_says(page, "欢迎关注")  # a new resident follows the account first
    return page, await page.input_value("#resident")


async def say(page: Page, text: str) -> None:
    await page.fill("#message", text)
    await page.click("#send")


async def bot_says(page: Page, words: str | re.Pattern[str]) -> str:
    bubble = page.locator(".msg.bot", has_text=words).last
    await bubble.wait_for(timeout=WAIT_MS)
    return await bubble.inner_text()


async def test_a_resident_reports_from_the_page_and_gets_a_case(browser: Browser, base_url: str,
                                                                svc: Services) -> None:
    page, openid = await open_sandbox(browser, base_url)
    assert openid.startswith("oSandbox") and len(openid) == 28
    await page.click(".menu button[data-key=REPORT]")
    await bot_says(page, "描述")
    await say(page, "楼下烧烤摊露天烧烤，油烟很大，到半夜还很吵")
    await bot_says(page, "在哪里")
    await page.select_option("#place", label="南澳墟镇")
    await bot_says(page, "回复“1”确认提交")
    await say(page, "1")
    reply = await bot_says(page, re.compile("诉求编号|新建"))
    if "新建" in reply:  # another test reported something similar nearby
        await say(page, "新建")
        reply = await bot_says(page, "诉求编号")
    found = CASE_NO.search(reply)
    assert found is not None, reply
    case = await Case.get(case_no=found.group())
    assert case.reporter == openid and case.channel == "wechat" and "烧烤" in case.description
    # The poll shows the 已受理 push in the resident's column and, for a self-handle category
    # (dispatched at once), the task card sent to the grid's group.
    await page.locator("#pushes-resident li", has_text=case.case_no).first.wait_for(timeout=WAIT_MS)
    assert case.category_code == "06029" and case.assignee_user_id is not None  # 露天烧烤: self-handle
    await page.locator("#pushes-group li", has_text=case.case_no).first.wait_for(timeout=WAIT_MS)
    await page.screenshot(path=str(SCREENSHOT))
    await page.close()


async def test_a_click_on_the_map_sends_that_point(browser: Browser, base_url: str, svc: Services) -> None:
    page, _ = await open_sandbox(browser, base_url, secure=False)  # welcomed: the fallback signature passed
    assert await page.evaluate("crypto.subtle === undefined")
    config = await page.evaluate("fetch('/sandbox/api/config').then((r) => r.json())")
    landmarks = [p for p in config["places"] if p["kind"] != "community"]
    dots = page.locator("circle.place")
    assert await dots.count() == len(landmarks)
    # Click where the page drew 大鹏所城: the point sent back must be the landmark's, to a pixel or two.
    i = next(i for i, p in enumerate(landmarks) if p["name"] == "大鹏所城")
    box = await dots.nth(i).bounding_box()
    assert box is not None
    await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await bot_says(page, "发生了什么")  # the place is known; the dialogue asks what happened there
    sent = await page.locator(".msg.me", has_text="位置").last.inner_text()
    lat, lng = (float(v) for v in re.findall(r"\d+\.\d{5}", sent)[:2])
    metres = math.dist((lat, lng), (landmarks[i]["lat"], landmarks[i]["lng"])) * 111_000
    assert metres < 150, (sent, landmarks[i])
    hit = svc.ctx.grid.locate(lng, lat, Datum.GCJ02)
    assert hit is not None and hit.code.startswith("440307010")  # 大鹏街道
    await page.close()


async def test_voice_photo_and_a_second_resident_keep_their_own_chats(browser: Browser, base_url: str,
                                                                       svc: Services) -> None:
    page, first = await open_sandbox(browser, base_url)
    await page.click("#voice-toggle")
    await say(page, "小区门口的垃圾桶坏了，垃圾撒了一地")
    await page.locator(".msg.me", has_text="语音").wait_for(timeout=WAIT_MS)
    await bot_says(page, "在哪里")
    photo: FilePayload = {"name": "bin.png", "mimeType": "image/png", "buffer": PNG}
    await page.set_input_files("#photo-file", files=[photo])
    await bot_says(page, "共1张")
    await page.click("#new-resident")
    await bot_says(page, "欢迎关注")
    second = await page.input_value("#resident")
    assert second != first and await page.locator(".msg.me").count() == 0
    await page.select_option("#resident", first)  # back: the first resident's chat, as it was
    await page.locator(".msg.me", has_text="垃圾桶").wait_for(timeout=WAIT_MS)
    assert await page.locator(".msg.me", has_text="bin.png").count() == 1
    # What reached the server was WeChat's voice and image XML, not text with a label on it.
    stored = await InboundMessage.filter(external_id=first).order_by("id")
    assert [m.kind for m in stored] == ["event", "voice", "image"]
    assert stored[1].payload.get("Recognition") == "小区门口的垃圾桶坏了，垃圾撒了一地"
    assert stored[2].media_id and stored[2].pic_url and stored[2].media_id in stored[2].pic_url
    await page.close()


async def report(page: Page, text: str, place: str) -> str:
    """A report through the page's menu, text and place list; its case number."""
    await page.click(".menu button[data-key=REPORT]")
    await bot_says(page, "描述")
    await say(page, text)
    await bot_says(page, "在哪里")
    await page.select_option("#place", label=place)
    await bot_says(page, "回复“1”确认提交")
    await say(page, "1")
    reply = await bot_says(page, re.compile("诉求编号|新建"))
    if "新建" in reply:
        await say(page, "新建")
        reply = await bot_says(page, "诉求编号")
    found = CASE_NO.search(reply)
    assert found is not None, reply
    return found.group()


async def test_the_chat_shows_a_delivered_push_and_a_held_one_differently(
        browser: Browser, served: tuple[str, web.Application], svc: Services) -> None:
    base, app = served
    page, openid = await open_sandbox(browser, base)
    case_no = await report(page, "小区里的路灯坏了好几天，晚上很黑", "较场尾")
    # Two pushes to this resident through the app's own outbox: progress now, a survey due tomorrow.
    ctx, now = app[CASES], svc.clock()
    to = Recipient("resident", openid, "wechat")
    progress = Notification("case.accept", to, f"sandbox-test:{case_no}:accept", case_no=case_no)
    survey = Notification("survey.request", to, f"sandbox-test:{case_no}:survey", case_no=case_no,
                          not_before=now + timedelta(days=1))
    await ctx.notifier.publish([progress, survey])
    # The sender delivers the progress message (the sandbox channel); the survey is not due yet.
    row = await OutboxMessage.get(key=progress.key)
    outbound = app[OUTBOUND]
    await outbound.store.route_pending(now, only=[row.id])
    await outbound.sender.handle(str(row.id))
    assert (await OutboxMessage.get(key=progress.key)).status == "delivered"
    sent = page.locator(f'#chat li.msg.bot[data-key="{progress.key}"]')
    held = page.locator(f'#chat li.msg.bot[data-key="{survey.key}"]')
    await sent.locator(".delivery", has_text="已送达").wait_for(timeout=WAIT_MS)
    await held.locator(".delivery", has_text="暂缓发送").wait_for(timeout=WAIT_MS)
    assert case_no in await sent.inner_text()
    assert await sent.get_attribute("data-state") == "delivered"
    assert "pending" not in (await sent.get_attribute("class") or "")
    assert await held.get_attribute("data-state") == "scheduled"
    assert "pending" in (await held.get_attribute("class") or "")
    assert "满意度回访" in await held.inner_text() and "survey.request" not in await page.inner_text("#chat")
    # The push list says the same; a group card names its state too (sent, or stopped with the reason).
    assert "已送达" in await page.locator(f'#pushes-resident li[data-key="{progress.key}"]').inner_text()
    # Another resident: a clean chat and no pin left from the first one's place.
    assert await page.locator("#map .pin").count() == 1
    await page.click("#new-resident")
    await bot_says(page, "欢迎关注")
    assert await page.locator("#map .pin").count() == 0 and await page.locator("#chat li[data-key]").count() == 0
    await page.close()


async def test_the_service_menu_and_the_plus_panel_are_there(browser: Browser, base_url: str) -> None:
    page, _ = await open_sandbox(browser, base_url)
    await page.click("#service-toggle")
    await page.click("#service-menu button[data-key=ALERTS]")
    await page.locator(".msg.event", has_text="预警订阅").wait_for(timeout=WAIT_MS)
    await page.click("#plus")
    assert await page.locator("#plus-menu button", has_text="位置").is_visible()
    await page.close()
