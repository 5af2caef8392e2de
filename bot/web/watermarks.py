"""Staff photos' watermarks, drawn after the answer (:mod:`intake.photos.pending`).

The page that took the photos starts their stamping once it has answered (:func:`start`), in the app's
pool for work after the answer; a periodic pass (:func:`job_body`) stamps what a stopped or failed process
left, after :data:`intake.photos.pending.GRACE`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from aiohttp.helpers import ChainMapProxy

from bot.keys import CASES, HEAVY_LATER, SETTINGS, TASKS
from intake.errors import Busy
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


def warm(request: web.Request) -> None:
    """Start the after-answer pool's worker beside the request's own (its first use spawns a process: a
    request with photos starts both, so the first stamping after a process start waits for no spawn)."""
    pool = request.config_dict.get(HEAVY_LATER)
    if pool is None:
        return

    async def started() -> str:
        with contextlib.suppress(Busy):  # the stamping will say so, and the periodic pass retries
            await pool.start()
        return "warm"
    _track(request, asyncio.create_task(started()))


def _track(request: web.Request, task: asyncio.Task[str]) -> None:
    tasks = request.config_dict[TASKS]  # the root app's: its shutdown waits a moment for them
    tasks.add(task)
    task.add_done_callback(tasks.discard)


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

    _track(request, asyncio.create_task(stamp()))


def job_body(app: web.Application) -> Callable[[], Awaitable[int]]:
    def run() -> Awaitable[int]:
        config = PhotoConfig(root=app[SETTINGS].mp.media_dir)
        return pending.finish_due(later_runner(app), config.root, config.max_pixels, app[CASES].clock())
    return run
