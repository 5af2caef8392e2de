"""The Chromium both page suites (worker, console) drive through Playwright, launched once a module.

A test module imports ``launched_browser`` (the ``browser`` fixture) and ``chromium`` from here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from tests.bot.test_sandbox_browser import ARGS, chromium

if TYPE_CHECKING:
    from playwright.async_api import Browser

__all__ = ["chromium", "launched_browser"]


@pytest.fixture(scope="module", name="browser")
async def launched_browser(chromium: str) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright  # present: the chromium fixture checked

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        yield launched
        await launched.close()
