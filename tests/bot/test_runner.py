"""How `gridline serve` runs the app: the start-up heap is frozen; a signal stops it after start-up.

(A SIGTERM during start-up, over a real process: tests/bot/test_workers.py.)
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from bot import runner


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # a test process builds many apps: give back what the hook froze


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_settle_freezes_what_start_up_built(unfrozen: None) -> None:
    built_at_start = [{"cell": i} for i in range(1000)]  # stands for the grid index, jieba, the taxonomy
    assert gc.get_freeze_count() == 0
    await runner.settle(web.Application())
    assert gc.get_freeze_count() >= len(built_at_start)
    # Out of the collector's generations: a full collection no longer walks them.
    walked = {id(x) for x in gc.get_objects()}
    assert not any(id(x) in walked for x in built_at_start)


async def test_serve_freezes_after_start_up_and_cleans_up_on_sigterm(unfrozen: None) -> None:
    app, events, opened = web.Application(), [], asyncio.Event()

    async def resource(_: web.Application) -> AsyncIterator[None]:
        events.append("opened")
        opened.set()
        yield
        events.append(f"closed, frozen {gc.get_freeze_count() > 0}")

    app.cleanup_ctx.append(resource)
    loop = asyncio.get_running_loop()
    serving = asyncio.create_task(runner.serve(app, "127.0.0.1", _free_port()))
    try:
        await asyncio.wait_for(opened.wait(), 5)
        await asyncio.sleep(0.05)  # start-up's last hook (the freeze) and the listening socket
        os.kill(os.getpid(), signal.SIGTERM)  # the handler serve installed turns it into a clean stop
        await asyncio.wait_for(serving, 5)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)  # give the test process its default handlers back
        loop.remove_signal_handler(signal.SIGINT)
    assert events == ["opened", "closed, frozen True"]
