"""Background retraining: an asyncio task per job, the CPU work in a worker thread.

The job trains on the labels (the latest per case, codes resolved) plus, if
asked, the shipped seed examples and the category names; ``train_and_validate``
holds out a validation slice for metrics and per-category thresholds. The new
model and the active one are then both scored on the registry's fixed held-out
slice (labels no retrain ever trains on), the result is registered as a
candidate, and the job row carries the comparison. Progress is written to the
job row, so any process can answer ``GET job``.

One job at a time: training is CPU-bound and the machine is shared with intake.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from intake.cases.context import CaseContext
from intake.errors import IllegalTransition
from intake.store.models_nlp import TrainingJob
from intake.tuning import labels, registry
from nlp.csvdata import SEED_EXAMPLES
from nlp.metrics import evaluate, reliability
from nlp.types import Classifier, LabelTerms
from tuning.config import TuningConfig
from tuning.serving import ServingClassifier
from tuning.versions import from_meta

log = logging.getLogger("gridline.nlp")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_AFTER = timedelta(hours=2)  # a "running" job this old died with its process
POLL_S = 0.25


@dataclass(frozen=True, slots=True)
class JobParams:
    backend: str = "linear"
    seed_examples: bool = True
    label_names: bool = True
    note: str = ""


class _Progress:
    """Written by the training thread, read by the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value, self.stage = 0.0, "queued"

    def __call__(self, done: int, total: int, what: str) -> None:
        with self._lock:
            self.value, self.stage = min(1.0, done / max(total, 1)), what[:100]

    def read(self) -> tuple[float, str]:
        with self._lock:
            return self.value, self.stage


class Jobs:
    def __init__(self, ctx: CaseContext, serving: ServingClassifier, config: TuningConfig,
                 executor: Executor | None = None) -> None:
        self.ctx, self.serving, self.config, self.executor = ctx, serving, config, executor
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self, params: JobParams, actor: str) -> TrainingJob:
        now = self.ctx.clock()
        busy = await TrainingJob.filter(status__in=(QUEUED, RUNNING), created_at__gt=now - STALE_AFTER).first()
        if busy is not None:
            raise IllegalTransition(f"training job {busy.id} is still running; wait for it", job=busy.id)
        job = await TrainingJob.create(status=QUEUED, params=_params(params),
                                       created_by=actor[:128], created_at=now)
        task = asyncio.create_task(self._run(job.id, params, actor))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return job

    async def _run(self, job_id: int, params: JobParams, actor: str) -> None:
        progress = _Progress()
        try:
            await TrainingJob.filter(id=job_id).update(status=RUNNING, stage="collecting labels")
            data = await labels.training_set(self.ctx.taxonomy.catalog, self.config.holdout_percent)
            seeds = self._seeds(params)
            examples = self._seed_examples(params)
            loop = asyncio.get_running_loop()
            work = loop.run_in_executor(self.executor, _train, self._spec(job_id, params, data, examples, seeds),
                                        progress)
            while not work.done():
                await asyncio.wait({work}, timeout=POLL_S)
                value, stage = progress.read()
                await TrainingJob.filter(id=job_id).update(progress=round(value, 3), stage=stage)
            outcome = work.result()
            version = await self._register(job_id, params, data, len(examples), len(seeds), outcome, actor)
            await TrainingJob.filter(id=job_id).update(status=DONE, progress=1.0, stage="done", version_id=version,
                                                       finished_at=self.ctx.clock())
        except asyncio.CancelledError:
            await TrainingJob.filter(id=job_id).update(status=FAILED, error="cancelled (shutdown)",
                                                       finished_at=self.ctx.clock())
            raise
        except Exception as exc:  # a failed job is reported on its row, never crashes the service
            log.exception("training job %s failed", job_id)
            await TrainingJob.filter(id=job_id).update(status=FAILED, error=str(exc)[:2000],
                                                       finished_at=self.ctx.clock())

    def _seeds(self, params: JobParams) -> list[tuple[str, str]]:
        if not params.label_names:
            return []
        # nlp.training imports scikit-learn and scipy: only when a job runs, not at every start-up.
        from nlp.training import label_seeds

        leaves = self.ctx.taxonomy.catalog.leaves()
        return label_seeds([LabelTerms(c.code, (c.name_zh,), c.synonyms) for c in leaves])

    def _seed_examples(self, params: JobParams) -> list[tuple[str, str]]:
        if not params.seed_examples:
            return []
        from nlp.training import read_examples

        texts, codes = read_examples(SEED_EXAMPLES)
        catalog = self.ctx.taxonomy.catalog
        return [(t, live) for t, c in zip(texts, codes, strict=True) if (live := labels.live_code(catalog, c))]

    def _spec(self, job_id: int, params: JobParams, data: labels.TrainingSet, examples: list[tuple[str, str]],
              seeds: list[tuple[str, str]]) -> dict[str, Any]:
        stamp = self.ctx.clock().strftime("%Y%m%dT%H%M%S")
        return {"texts": [*data.texts, *(t for t, _ in examples)], "labels": [*data.labels, *(c for _, c in examples)],
                "seeds": seeds, "backend": params.backend, "checkpoint": self.config.checkpoint,
                "target": self.config.target_precision, "version": f"job{job_id}",
                "places": self.ctx.grid.gazetteer.names(),
                "out": Path(self.config.model_dir) / "registry" / f"job{job_id}-{stamp}",
                "holdout": (data.holdout_texts, data.holdout_labels), "active": self.serving.model}

    async def _register(self, job_id: int, params: JobParams, data: labels.TrainingSet, n_examples: int,
                        n_seeds: int, outcome: dict[str, Any], actor: str) -> int:
        source = {"job": job_id, "labels": len(data.labels), "seed_examples": n_examples, "label_names": n_seeds,
                  "holdout": len(data.holdout_labels), "holdout_percent": self.config.holdout_percent,
                  "skipped_labels": data.skipped, "count": len(data.labels) + n_examples}
        metrics = {**outcome["validation"], "holdout": outcome["holdout"], "active_on_holdout": outcome["active"]}
        new = from_meta(outcome["out"], outcome["meta"], self.ctx.taxonomy.version, self.config.target_precision,
                        source, metrics=metrics, thresholds=outcome["thresholds"], note=params.note)
        version = await registry.register(new, actor, self.ctx.clock())
        return int(version.id)


def _params(params: JobParams) -> dict[str, Any]:
    return {"backend": params.backend, "seed_examples": params.seed_examples, "label_names": params.label_names,
            "note": params.note}


def _train(spec: dict[str, Any], progress: _Progress) -> dict[str, Any]:
    """In the worker thread: train, save, and score new and active models on the held-out slice."""
    from nlp.training import model_info, train_and_validate

    result = train_and_validate(spec["texts"], spec["labels"], backend=spec["backend"], checkpoint=spec["checkpoint"],
                                seeds=spec["seeds"], target_precision=spec["target"], progress=progress,
                                options={"version": spec["version"], "places": spec["places"]})
    out: Path = spec["out"]
    result.model.save(out)
    texts, truth = spec["holdout"]
    return {"out": out, "meta": model_info(out), "validation": result.metrics, "thresholds": result.thresholds,
            "holdout": score(result.model, texts, truth), "active": score(spec["active"], texts, truth)}


def score(model: Classifier | Any, texts: list[str], truth: list[str]) -> dict[str, Any]:
    """Metrics of ``model`` on a labelled slice, without the confusion matrix."""
    if not texts:
        return {"n": 0}
    predictions = model.classify_many(texts)
    codes, confidence = [p.code for p in predictions], [p.confidence for p in predictions]
    metrics = evaluate(truth, codes, confidence)
    # The reliability bins (confidence vs accuracy) draw the console's reliability diagram.
    correct = np.array([c == t for c, t in zip(codes, truth, strict=True)], dtype=bool)
    bins = [b for b in reliability(correct, np.asarray(confidence, dtype=np.float64)) if b["n"]]
    return {**{k: v for k, v in metrics.items() if k not in ("confusion_matrix", "per_class")}, "reliability": bins}


def job_view(job: TrainingJob) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "stage": job.stage, "progress": job.progress, "params": job.params,
            "error": job.error, "version_id": job.version_id, "created_by": job.created_by,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}
