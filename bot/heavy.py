"""The app's one worker pool for heavy steps, from settings (see :mod:`intake.heavy`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot.keys import HEAVY, SETTINGS
from bot.settings import Settings
from intake.errors import Busy
from intake.heavy import Budget, HeavyPool

log = logging.getLogger("gridline.heavy")


def pool_of(settings: Settings) -> HeavyPool:
    return HeavyPool(Budget(seconds=settings.heavy_timeout_seconds, memory_mb=settings.heavy_memory_mb,
                            workers=settings.heavy_workers))


async def heavy_pool(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context: the pool is started in the background (a first request must not wait for imports)."""
    pool = app[HEAVY] = pool_of(app[SETTINGS])
    starting = asyncio.ensure_future(pool.start())
    starting.add_done_callback(_report)
    yield
    starting.cancel()
    pool.close()


def _report(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and isinstance(task.exception(), Busy):
        log.warning("the heavy-step workers did not start; they are retried on the next heavy request")
