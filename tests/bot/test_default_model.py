"""The default model from the first start: an app with no model serves the keyword matcher, builds the default
in a child process and swaps it in without a restart; an active model is never replaced; serve's next start
loads it after start-up; a failed build leaves the keyword matcher and logs why; one process builds when
several start.

The end-to-end build runs on SQLite only: the build is a child process that touches no database, and the
registry calls it ends with are the ones ``register_default`` makes on both backends at every start.
It trains on a small slice of the shipped seeds (``BuildDefault.seeds``) so it takes seconds, not a minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.default_model import LOCK, BuildDefault, DefaultBuild
from bot.keys import DEFAULT_BUILD, TUNING
from bot.settings import load_settings
from bot.storage.memory import MemoryStore
from intake.store.models_nlp import ModelVersion
from intake.tuning import registry
from nlp.csvdata import SEED_EXAMPLES
from tests.conftest import Services, state_dirs
from tuning.config import TuningConfig
from tuning.runtime import tuning as tuning_runtime
from tuning.serving import ServingClassifier

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def _keyword_serving(svc: Services) -> None:
    """Leave no model active (the shared database's convention), so the build has a reason to run."""
    await ModelVersion.filter(status__in=(registry.ACTIVE, registry.SHADOW)).update(status=registry.RETIRED)
    await registry.bump("test", "keyword matcher", svc.clock())


@pytest.fixture
def few_seeds(tmp_path: Path) -> Path:
    """Every 40th shipped seed example: a model of all categories (their names are seeds too) in seconds."""
    lines = SEED_EXAMPLES.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "few.csv"
    path.write_text("\n".join([lines[0], *lines[1::40]]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def cleaned(svc: Services) -> AsyncIterator[Services]:
    await _keyword_serving(svc)
    yield svc
    await _keyword_serving(svc)


@SQLITE_ONLY
async def test_with_no_model_the_default_is_built_and_serves_without_a_restart(
        cleaned: Services, few_seeds: Path, tmp_path: Path) -> None:
    settings = load_settings({"GRIDLINE_DATABASE_URL": cleaned.url, **state_dirs(tmp_path)})
    app = create_app(settings, clock=cleaned.clock, sweeper=False, own_database=False,
                     build_default=BuildDefault(seeds=few_seeds))
    async with TestClient(TestServer(app)) as client:
        async with client.get("/healthz") as first:
            health = await first.json()
        assert (health["classifier"], health["model_version"], health["default_model"]) == (
            "keyword", None, "building")
        for _ in range(1200):  # the build's child process: seconds, more on a loaded machine
            if app[DEFAULT_BUILD].state != "building":
                break
            await asyncio.sleep(0.05)
        async with client.get("/healthz") as after:
            health = await after.json()
        assert health["default_model"] == "done" and health["classifier"].startswith("linear:"), health
        active, _ = await registry.serving()
        assert active is not None and health["model_version"] == active.id
        assert active.data_source == {"from": "gridline serve (background build)"}
        assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["default"]  # no half-built folder left
        prediction = app[TUNING].serving.classify("小区门口的路灯坏了，晚上黑漆漆的")
        assert prediction.model == health["classifier"]

        # A second process (or a restart) with an active model leaves it alone, even with no default folder.
        again = DefaultBuild(TuningConfig(tmp_path / "other"), MemoryStore(), _never, BuildDefault(few_seeds),
                             lambda: 1)
        await again.run()
        assert again.state == "not needed" and again.child is None and not (tmp_path / "other").exists()

        # serve's next start (load_later) is ready before the model loads; the keyword matcher answers meanwhile.
        serving, listening = ServingClassifier(cleaned.serving.fallback), asyncio.Event()
        async with tuning_runtime(cleaned.ctx, serving, settings.nlp, load_after=listening.wait) as later:
            await asyncio.sleep(0.05)
            assert serving.active is None and serving.revision == -1 and later.jobs.tasks
            listening.set()
            await asyncio.wait(list(later.jobs.tasks))
            assert serving.active is not None and serving.active.version_id == active.id


async def _never() -> None:
    raise AssertionError("nothing may be activated")


@SQLITE_ONLY
async def test_a_failed_build_leaves_the_keyword_matcher_and_logs_why(
        cleaned: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\n路灯不亮,99999\n", encoding="utf-8")
    kv = MemoryStore()
    build = DefaultBuild(TuningConfig(tmp_path / "models"), kv, _never, BuildDefault(bad), lambda: 1)
    with caplog.at_level(logging.ERROR, logger="gridline.nlp"):
        await build.run()
    assert build.state == "failed" and build.child is not None and build.child.returncode == 2
    assert "codes not among the taxonomy's live leaves: 99999" in caplog.text
    assert await kv.get(LOCK) is None  # the next start may try again
    assert not (tmp_path / "models" / "default").exists()
    assert (await registry.serving())[0] is None


@SQLITE_ONLY
async def test_one_process_builds_when_several_start(cleaned: Services, tmp_path: Path) -> None:
    kv = MemoryStore()
    await kv.set_if_absent(LOCK, "another process", ttl_seconds=60)
    build = DefaultBuild(TuningConfig(tmp_path / "models"), kv, _never, BuildDefault(), lambda: 1)
    await build.run()
    assert build.state == "elsewhere" and build.child is None and await kv.get(LOCK) == "another process"

