"""The app's worker pools for heavy steps, from settings (see :mod:`intake.heavy`): one for the steps a request
waits for, one for the work done after the answer (staff photos' watermarks), so that work never sits in
front of a request's step."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.keys import HEAVY, HEAVY_LATER, SETTINGS
from bot.settings import Settings
from intake.heavy import Budget, HeavyPool


def pool_of(settings: Settings, nice: int = 0) -> HeavyPool:
    return HeavyPool(Budget(seconds=settings.heavy_timeout_seconds, memory_mb=settings.heavy_memory_mb,
                            workers=settings.heavy_workers, nice=nice))


LATER_NICE = 10  # nobody waits on it: the requests' steps (and the checks' pool) get the CPU first


async def heavy_pool(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context. Workers start with the first heavy request (their start is not counted in its
    budget), so a server that never repairs a polygon or decodes a photo never spawns them."""
    pool = app[HEAVY] = pool_of(app[SETTINGS])
    later = app[HEAVY_LATER] = pool_of(app[SETTINGS], nice=LATER_NICE)
    yield
    pool.close()
    later.close()
