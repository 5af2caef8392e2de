"""The trained default model from the first start: ``gridline serve`` with no model builds it in the background.

A fresh install has no model, so the keyword matcher serves. Rather than wait for someone to run
``gridline nlp build-default``, serve trains it from the shipped seed examples (``nlp/data``, never
``../shared``) in a child process (``python -m bot.nlp_cli``: its ~10 s of CPU and ~0.5 GB stay out of
the process answering residents, at a lower priority), then registers and activates it and swaps it into
the serving classifier, as an admin's activation does. The keyword matcher answers meanwhile;
``/healthz`` and the admin status say which classifier serves and how the build goes (:attr:`state`).

Only while no model is active and ``MODEL_DIR/default`` does not exist: an active model is never
replaced, and the default is built once per model folder (an admin who retired it keeps the keyword
matcher). Several processes (``--workers``) race for a lock in the shared store: one builds, the others
pick the model up at their next registry poll. A failed build logs why and leaves the keyword matcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.keys import DEFAULT_BUILD, KV, SETTINGS, TUNING
from bot.storage.base import KeyValueStore
from tuning.config import TuningConfig
from tuning.loader import DEFAULT_DIR, any_active, register_default

log = logging.getLogger("gridline.nlp")
LOCK = "lock:nlp-default-build"
LOCK_TTL_S = 60.0  # renewed every third of it while the child trains: a dead process frees it within a minute
ERROR_TAIL = 2000  # the characters of the child's stderr logged when it fails
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class BuildDefault:
    """``create_app``'s request for the background build (``gridline serve`` asks; apps in tests do not).

    ``seeds``: the seed examples (None: the shipped ones); tests name a small set to train in seconds."""

    seeds: Path | None = None


class DefaultBuild:
    """One process's part in the build: ``state`` is off, not needed, building, elsewhere, failed or done."""

    def __init__(self, config: TuningConfig, kv: KeyValueStore, activate: Callable[[], Awaitable[object]],
                 request: BuildDefault, taxonomy_version: Callable[[], int]) -> None:
        self.config, self.kv, self.activate, self.request = config, kv, activate, request
        self.taxonomy_version = taxonomy_version
        self.state = "off"
        self._me = uuid.uuid4().hex  # this process's value in the lock
        self.child: asyncio.subprocess.Process | None = None

    async def run(self) -> None:
        if await self.claim():
            await self.build()

    async def claim(self) -> bool:
        """True when this process is to build (it holds the lock): one query and one lock, done at start-up
        so that the "gridline ready" line already says whether a build runs."""
        if await any_active() or (Path(self.config.model_dir) / DEFAULT_DIR).exists():
            self.state = "not needed"
            return False
        if not await self.kv.set_if_absent(LOCK, self._me, ttl_seconds=LOCK_TTL_S):
            self.state = "elsewhere"  # another process builds; the registry poll brings its model here
            return False
        self.state = "building"
        return True

    async def build(self, after: Callable[[], Awaitable[object]] | None = None) -> None:
        me = self._me
        renew = asyncio.create_task(self._hold(me))
        try:
            if after is not None:
                await after()
            await self._build()
        except Exception:  # anything: the keyword matcher keeps serving, the reason goes to the log
            self.state = "failed"
            log.exception("the default model's background build failed; the keyword matcher keeps serving")
        finally:
            renew.cancel()
            await self.kv.compare_and_delete(LOCK, me)

    async def _hold(self, me: str) -> None:
        while True:
            await asyncio.sleep(LOCK_TTL_S / 3)
            await self.kv.set(LOCK, me, ttl_seconds=LOCK_TTL_S)

    async def _build(self) -> None:
        final = Path(self.config.model_dir) / DEFAULT_DIR
        partial = final.with_name(f"{DEFAULT_DIR}.building-{os.getpid()}")
        log.info("no model yet: building the default model in the background; the keyword matcher serves")
        for stale in final.parent.glob(f"{DEFAULT_DIR}.building-*"):  # a killed process's half-built model
            shutil.rmtree(stale, ignore_errors=True)
        try:
            await self._train(partial)
            partial.replace(final)  # whole or absent: a process starting meanwhile never sees half a model
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        version = await register_default(self.config.model_dir, self.config.target_precision,
                                         self.taxonomy_version(), built_now=True)
        await self.activate()
        self.state = "done"
        log.info("the default model is built and serves", extra={"model_version": version.id if version else None,
                                                                 "directory": str(final)})

    async def _train(self, out: Path) -> None:
        seeds = ["--seeds", str(self.request.seeds)] if self.request.seeds else []
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.nlp_cli", "nlp", "build-default", "--out", str(out), *seeds,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        out_text, err_text = await self.child.communicate()
        if self.child.returncode != 0:
            raise RuntimeError(f"gridline nlp build-default exited with {self.child.returncode}: "
                               f"{err_text.decode(errors='replace')[-ERROR_TAIL:].strip()}")
        log.info("default model trained", extra={"summary": out_text.decode(errors="replace").strip()[-500:]})

    def stop(self) -> None:
        if self.child is not None and self.child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.child.kill()


def lifetime(request: BuildDefault | None, after: Callable[[], Awaitable[object]] | None = None,
             ) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` after the tuning runtime's: starts the build when asked (its child once ``after``
    returns: serve's server listens), kills the child at shutdown."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        tuning = app[TUNING]
        build = app[DEFAULT_BUILD] = DefaultBuild(app[SETTINGS].nlp, app[KV], lambda: tuning.refresh(force=True),
                                                  request or BuildDefault(), lambda: tuning.ctx.taxonomy.version)
        building = request is not None and await build.claim()
        task = asyncio.create_task(build.build(after), name="default model build") if building else None
        yield
        build.stop()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx
