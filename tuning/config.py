"""The tuning loop's section of the settings (``GRIDLINE_MODEL_DIR``, ``GRIDLINE_NLP_*``).

It lives with the tuning runtime, not in ``bot.sections``: the runtime needs nothing from ``bot``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TuningConfig:
    """Where trained models live, how sure a model must be to auto-dispatch, how often the registry is polled."""

    model_dir: Path
    target_precision: float = 0.95
    holdout_percent: int = 20
    checkpoint: Path | None = None
    keyword_bar: float = 0.8
    poll_s: float = 10.0
