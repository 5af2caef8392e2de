"""The app's outbound resources (``cleanup_ctx``): the relay and sender in-process, built from ``settings.outbox``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.keys import CASES, OUTBOUND, SETTINGS
from intake.cases.context import CaseContext, Clock, utc_now
from outbox import runner


def category_namer(ctx: CaseContext) -> Callable[[str], str | None]:
    def name(code: str) -> str | None:
        found = ctx.taxonomy.catalog.find(code)
        return found.name("zh_CN") if found is not None else None

    return name


def outbound(clock: Clock | None, run_sender: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """Build the relay + sender; run them unless another process does (``gridline sender``)."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        built = runner.build(app[SETTINGS].outbox, clock or utc_now, category_name=category_namer(app[CASES]))
        app[OUTBOUND] = built
        if run_sender:
            built.start()
        yield
        await built.close()

    return ctx
