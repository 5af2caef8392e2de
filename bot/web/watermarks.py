"""Staff photos' watermarks, drawn after the answer (:mod:`intake.photos.pending`).

The page that took the photos starts their stamping once it has answered (:func:`start`), in the app's
pool for work after the answer; a periodic pass (:func:`job_body`) stamps what a stopped or failed process
left, after :data:`intake.photos.pending.GRACE`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from aiohttp.helpers import ChainMapProxy

from bot.keys import CASES, HEAVY_LATER, SETTINGS, TASKS
from intake.photos import pending
from intake.photos.staff import PhotoConfig

log = logging.getLogger("gridline.photos")
LOCK = "lock:staff-photo-watermarks"
Runner = Callable[..., Awaitable[Any]]


def later_runner(app: web.Application | ChainMapProxy) -> Runner:
    """The pool for work after the answer; a thread where the app has none (a test's app)."""
    pool = app.get(HEAVY_LATER)
    if pool is not None:
        return pool.run

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
    return in_thread


def start(request: web.Request, config: PhotoConfig, media_ids: Sequence[str]) -> None:
    """Stamp the photos a request took, after its answer; a failure is left to the periodic pass."""
    if not media_ids:
        return
    app, ids, now = request.config_dict, list(media_ids), request.config_dict[CASES].clock()

    async def stamp() -> str:
        try:
            await pending.finish_ids(later_runner(app), config.root, config.max_pixels, ids, now)
        except Exception:  # the database or the disk: the rows stay pending and the periodic pass retries
            log.exception("staff photos left for the periodic pass", extra={"media_ids": ids})
        return "watermarks"

    tasks = app[TASKS]  # the root app's: its shutdown waits a moment for them
    task = asyncio.create_task(stamp())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def job_body(app: web.Application) -> Callable[[], Awaitable[int]]:
    def run() -> Awaitable[int]:
        config = PhotoConfig(root=app[SETTINGS].mp.media_dir)
        return pending.finish_due(later_runner(app), config.root, config.max_pixels, app[CASES].clock())
    return run
