"""The tuning loop at the console, in Debian's Chromium driven by Playwright: an admin triages five cases,
imports a label CSV with one bad line (the preview names it, nothing is stored until it is fixed), retrains
watching the progress bar, compares, activates and rolls back. Without Chromium or Playwright this skips
locally and fails in CI. With GRIDLINE_TEST_SCREENSHOTS=docs/screenshots it also saves the README's screenshots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from bot.keys import TUNING
from intake.store.models_nlp import Label, ModelVersion, TriageItem
from intake.tuning import registry
from tests import screens
from tests.bot.conftest import Api, report
from tests.bot.console.conftest import PASSWORD
from tests.bot.tuning.test_nlp_api import labels_csv, train
from tests.bot.web.browser import chromium, launched_browser  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Page

WAIT_MS = 20_000
TRAIN_MS = 120_000
COMPLAINTS = ("我家楼上有人吵架", "门口有人争吵", "好像有点问题", "隔壁一直有怪声音", "楼道里有东西", "这边情况不太对")


@pytest.fixture
async def serving_restored(console: Api) -> AsyncIterator[Api]:
    """The API server is shared: leave the keyword matcher serving, as tests/bot/tuning does."""
    yield console
    await ModelVersion.filter(status__in=(registry.ACTIVE, registry.SHADOW)).update(status=registry.RETIRED)
    await registry.bump("test", "cleanup", console.svc.clock())
    await console.client.app[TUNING].refresh()


async def shot(page: Page, name: str) -> None:
    keep = screens.folder()
    if keep:
        await page.screenshot(path=str(keep / f"console-nlp-{name}.png"))


async def triage_five(page: Page, admin: str) -> None:
    for n in range(5):
        await page.wait_for_selector("#triage-case[data-case]", timeout=WAIT_MS)
        case_no = await page.get_attribute("#triage-case", "data-case")
        if not await page.query_selector("#triage-case [data-key='1']"):
            await page.select_option("#triage-case select[name=category]", "20001")  # no candidate: the list
            await page.click("#triage-case form.other button")
        elif n % 2 == 0:
            await page.keyboard.press("1")  # the number key picks the first of the top 3
        else:
            await page.click("#triage-case [data-key='2']")
        await page.wait_for_selector(f"#triage-case:not([data-case='{case_no}'])", timeout=WAIT_MS)
        item = await TriageItem.get(case_no=case_no)
        assert (item.status, item.decided_by) == ("decided", admin)


def csv_file(content: bytes) -> FilePayload:
    return {"name": "labels.csv", "mimeType": "text/csv", "buffer": content}


async def import_with_one_bad_line(page: Page, good: bytes, uid: str) -> None:
    bad = good.replace(b",06010\n", b",99999\n", 1)
    assert bad != good
    await page.set_input_files("#label-import input[type=file]", files=[csv_file(bad)])
    await page.click("#label-import [data-check]")
    await page.wait_for_selector("#label-preview .preview.error", timeout=WAIT_MS)
    assert "99999" in await page.inner_text("#label-preview") and await page.is_disabled("[data-import]")
    assert not await Label.filter(text__startswith=uid).exists()  # nothing stored from the bad file
    await page.set_input_files("#label-import input[type=file]", files=[csv_file(good)])
    await page.click("#label-import [data-check]")
    await page.wait_for_selector("#label-preview .preview.ok", timeout=WAIT_MS)
    assert not await Label.filter(text__startswith=uid).exists()  # a clean preview stores nothing either
    await page.click("[data-import]")
    await page.wait_for_selector(".flash.ok", timeout=WAIT_MS)


async def retrain_watching_the_bar(page: Page) -> int:
    await page.click("#retrain button[type=submit]")
    await page.wait_for_selector("#job progress", timeout=WAIT_MS)
    seen = {await page.get_attribute("#job", "data-status")}
    for _ in range(TRAIN_MS // 200):  # the page polls and reloads itself when the job is done
        status = await page.get_attribute("#job", "data-status")
        seen.add(status)
        if status == "done":
            break
        await page.wait_for_timeout(200)
    assert "done" in seen and seen & {"queued", "running"}, seen
    assert await page.get_attribute("#job progress", "value") == "1.0"
    return int((await page.get_attribute("#job [data-version]", "href") or "").rsplit("/", 1)[-1])


async def test_an_admin_runs_the_tuning_loop(browser: Browser, serving_restored: Api, uid: str) -> None:
    api = serving_restored
    for k, text in enumerate(COMPLAINTS):
        assert (await report(api, f"{uid}{k}", text, category=None)).body["status"] == "reported"
    seeded = await api.call("POST", "/admin/v1/nlp/labels/import", data=labels_csv(api, f"p{uid}"))
    assert seeded.status == 201
    earlier = await train(api)  # a version to compare the console's retrain against
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    base = str(api.client.make_url("/console"))
    try:
        await page.goto(f"{base}/nlp/triage")
        await page.fill("input[name=account]", str(api.staff["admin"].user_id))
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form.act button")
        await page.wait_for_selector("#triage-case[data-case]", timeout=WAIT_MS)
        await shot(page, "triage")
        await triage_five(page, f"user:{api.staff['admin'].user_id}")

        await page.goto(f"{base}/nlp/labels")
        await import_with_one_bad_line(page, labels_csv(api, uid), uid)
        assert await Label.filter(text__startswith=uid, source="import").count() == 200

        await page.goto(f"{base}/nlp/models")
        new = await retrain_watching_the_bar(page)
        await shot(page, "models")
        await page.select_option("#compare select[name=a]", str(new))
        await page.select_option("#compare select[name=b]", str(earlier["version_id"]))
        await page.click("#compare button")
        await page.wait_for_selector("#compare-per-class tr[data-code='06010']", timeout=TRAIN_MS)

        await page.goto(f"{base}/nlp/confirm/activate?id={new}")
        assert f"#{new}" in await page.inner_text("#confirm")  # the confirmation names the version
        await page.click("#confirm [data-confirm]")
        await page.wait_for_selector(f"#versions tr[data-version='{new}'][data-status=active]", timeout=WAIT_MS)
        assert (await api.call("GET", "/admin/v1/nlp/status")).body["active"] == new
        await page.goto(f"{base}/nlp/models/{new}")
        await page.wait_for_selector("svg#confusion rect", timeout=WAIT_MS)
        await shot(page, "model")

        was = earlier["version_id"]
        await page.goto(f"{base}/nlp/confirm/shadow?id={was}")
        assert f"#{was}" in await page.inner_text("#confirm")
        await page.click("#confirm [data-confirm]")
        await page.wait_for_selector(f"#versions tr[data-version='{was}'][data-status=shadow]", timeout=WAIT_MS)
        await page.goto(f"{base}/nlp/models/{was}")
        await page.wait_for_selector("#shadow-report", timeout=WAIT_MS)  # its agreement report

        await page.goto(f"{base}/nlp/confirm/rollback")
        assert f"#{new}" in await page.inner_text("#confirm")
        await page.click("#confirm [data-confirm]")
        await page.wait_for_selector(f"#versions tr[data-version='{new}'][data-status=retired]", timeout=WAIT_MS)
        assert (await api.call("GET", "/admin/v1/nlp/status")).body["active"] != new
    finally:
        await context.close()
