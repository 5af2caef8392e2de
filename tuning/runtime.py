"""Everything of the tuning loop one process holds, built by the app factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from intake.cases.context import CaseContext
from tuning import loader, shadow
from tuning.config import TuningConfig
from tuning.jobs import Jobs
from tuning.loader import ModelCache
from tuning.serving import ServingClassifier

log = logging.getLogger("gridline.nlp")


@dataclass
class Tuning:
    ctx: CaseContext
    serving: ServingClassifier
    cache: ModelCache
    jobs: Jobs
    config: TuningConfig

    async def refresh(self, *, force: bool = False) -> bool:
        return await loader.refresh(self.serving, self.cache, force=force)


@contextlib.asynccontextmanager
async def tuning(ctx: CaseContext, serving: ServingClassifier, config: TuningConfig, *,
                 load_after: Callable[[], Awaitable[object]] | None = None) -> AsyncIterator[Tuning]:
    """Register the default model on a fresh install and load what serves; retrain jobs stop at shutdown.

    ``serving`` is the classifier ``ctx`` classifies through (both from ``build_context``). ``load_after``
    (``gridline serve``: the server listens): the models load in the background once it returns, the keyword
    matcher answering meanwhile: loading one is most of a second of CPU that start-up to ready need not wait for."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridline-train")
    state = Tuning(ctx, serving, ModelCache(ctx.grid.gazetteer.names()), Jobs(ctx, serving, config, executor),
                   config)
    await loader.register_default(config.model_dir, config.target_precision, ctx.taxonomy.version)
    if load_after is not None:
        task = asyncio.create_task(_load_after(state, load_after), name="classifier load")
        state.jobs.tasks.add(task)
        task.add_done_callback(state.jobs.tasks.discard)
    else:
        await state.refresh(force=True)
    try:
        yield state
    finally:
        for task in list(state.jobs.tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        executor.shutdown(wait=False, cancel_futures=True)


async def _load_after(state: Tuning, start: Callable[[], Awaitable[object]]) -> None:
    await start()
    await state.refresh(force=True)


async def poll(state: Tuning) -> None:
    """Pick up what other processes activated; run the shadow comparison (a periodic job's body)."""
    await state.refresh()
    await shadow.run_once(state.ctx, state.serving)
