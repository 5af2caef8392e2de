"""`gridline serve` freezes its start-up heap; apps built for tests do not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from aiohttp import web

from bot import heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # a test process builds many apps: give back what the hook froze


async def test_serving_freezes_what_start_up_built(unfrozen: None) -> None:
    app = heap.serving(web.Application())
    built_at_start = [{"cell": i} for i in range(1000)]  # stands for the grid index, jieba, the taxonomy
    assert gc.get_freeze_count() == 0
    app.freeze()
    await app.on_startup.send(app)
    assert gc.get_freeze_count() >= len(built_at_start)
    # Out of the collector's generations: a full collection no longer walks them.
    walked = {id(x) for x in gc.get_objects()}
    assert not any(id(x) in walked for x in built_at_start)


def test_serving_adds_the_hook_last() -> None:
    app = web.Application()
    app.on_startup.append(lambda _: None)  # type: ignore[arg-type, return-value]
    assert heap.serving(app).on_startup[-1] is heap.settle
