"""Keeping the serving classifier in step with the registry, in every process.

Each process polls the registry's revision counter (as the taxonomy's version is
polled) and, when it moved, loads the active and shadow models and the live
keyword rules, then swaps them in. Models load in a worker thread: unpickling a
model must not stall the event loop that answers residents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from intake.store.models_nlp import ModelVersion
from intake.tuning import registry, rules
from nlp.types import Classifier
from tuning.serving import Served, ServingClassifier
from tuning.versions import from_meta

log = logging.getLogger("gridline.nlp")
DEFAULT_DIR = "default"


class ModelCache:
    """Loaded classifiers by registry id (a version's directory never changes once registered)."""

    def __init__(self, places: Sequence[str] = ()) -> None:
        self.places = tuple(places)
        self._loaded: dict[int, Classifier] = {}
        # The start-up's background load and the registry poll may ask together: one loads, one waits.
        self._lock = asyncio.Lock()

    async def get(self, version: ModelVersion) -> Classifier:
        async with self._lock:
            return await self._get(version)

    async def _get(self, version: ModelVersion) -> Classifier:
        if version.id not in self._loaded:
            from nlp.training import load_model  # scikit-learn's and scipy's import only once a model serves

            directory, places = Path(version.directory), self.places
            model = await asyncio.to_thread(load_model, directory, places=places)
            self._loaded[version.id] = cast(Classifier, model)
        return self._loaded[version.id]

    def keep_only(self, ids: set[int]) -> None:
        for stale in set(self._loaded) - ids:
            del self._loaded[stale]


async def any_active() -> bool:
    return (await registry.serving())[0] is not None


async def refresh(serving: ServingClassifier, cache: ModelCache, *, force: bool = False) -> bool:
    """Reload when the registry changed since the last look; True when something was swapped."""
    revision = await registry.revision()
    if revision == serving.revision and not force:
        return False
    active, shadow = await registry.serving()
    serving.active = await _served(active, cache)
    serving.shadow = await _served(shadow, cache)
    serving.set_rules(await rules.live(serving.clock()))
    serving.revision = revision
    cache.keep_only({v.id for v in (active, shadow) if v is not None})
    return True


async def _served(version: ModelVersion | None, cache: ModelCache) -> Served | None:
    if version is None:
        return None
    try:
        classifier = await cache.get(version)
    except (OSError, ValueError, RuntimeError):
        # A missing or damaged directory must not take intake down: the keyword matcher serves instead.
        log.exception("cannot load model version %s from %s", version.id, version.directory)
        return None
    return Served(version.id, classifier, dict(version.thresholds))


async def register_default(model_dir: Path, target_precision: float, taxonomy_version: int, *,
                           built_now: bool = False) -> ModelVersion | None:
    """On a fresh install, register and activate ``MODEL_DIR/default`` (``gridline nlp build-default``).

    Only when the registry is empty: once an admin has registered anything, start-up changes nothing.
    ``built_now``: serve's background build has just written it (``bot.default_model``), which it does only
    while no model is active and no default exists; then it is registered beside any retired versions.
    """
    directory = Path(model_dir) / DEFAULT_DIR
    if not (directory / "meta.json").is_file() or (not built_now and await ModelVersion.exists()):
        return None
    from nlp.training import model_info

    try:
        meta = model_info(directory)
    except (OSError, ValueError):
        log.exception("model directory %s is unusable; the keyword matcher serves", directory)
        return None
    now = datetime.now(UTC)
    version = await registry.register(from_meta(directory, meta, taxonomy_version, target_precision,
                                                {"from": "gridline serve (background build)" if built_now
                                                 else "gridline nlp build-default"}), "system", now)
    return await registry.activate(version.id, "system", now)
