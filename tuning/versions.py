"""Registry entries from trained models and their ``meta.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intake.tuning.registry import NewVersion


def from_meta(directory: Path, meta: dict[str, Any], taxonomy_version: int, target_precision: float,
              source: dict[str, Any], *, metrics: dict[str, Any] | None = None,
              thresholds: dict[str, float] | None = None, note: str = "") -> NewVersion:
    """A version for a model directory; ``metrics``/``thresholds`` override the ones in ``meta.json``."""
    backend = str(meta.get("backend", "unknown"))
    return NewVersion(
        backend=backend, name=f"{backend}:{meta.get('version', 'unknown')}", directory=str(Path(directory).resolve()),
        data_sha256=str(meta.get("data_sha256", "")), data_count=int(source.get("count", 0)),
        data_source=source, taxonomy_version=taxonomy_version,
        metrics=_small(metrics if metrics is not None else dict(meta.get("metrics") or {})),
        thresholds={str(k): float(v) for k, v in (thresholds if thresholds is not None
                                                  else meta.get("thresholds") or {}).items()},
        target_precision=target_precision, note=note)


def _small(metrics: dict[str, Any]) -> dict[str, Any]:
    # A 340-label confusion matrix is 115,000 numbers: the registry row keeps only its non-zero cells
    # ([true, predicted, n], at most one per validation example), which the console draws.
    out = {k: v for k, v in metrics.items() if k != "confusion_matrix"}
    matrix = metrics.get("confusion_matrix")
    if isinstance(matrix, dict) and matrix.get("labels") and matrix.get("matrix"):
        labels = [str(code) for code in matrix["labels"]]
        out["confusion_pairs"] = [[labels[i], labels[j], int(n)] for i, row in enumerate(matrix["matrix"])
                                  for j, n in enumerate(row) if n]
    return out
