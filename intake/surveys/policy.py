"""The knobs of the survey feature, set once by the composition root from the settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

# Renders one survey message: (kind, language, payload) → the text the resident reads.
Renderer = Callable[[str, str, Mapping[str, Any]], str]

SATISFIED, FAIRLY, DISSATISFIED = 1, 2, 3


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    delay: timedelta = timedelta(hours=24)  # after closing, before the question goes out
    reminder_after: timedelta = timedelta(hours=48)  # after the question, one reminder
    window: timedelta = timedelta(days=7)  # after the question, how long chat answers are matched to it
    flag_rate: float = 0.30  # 不满意率 above this flags a grid or a worker
    min_sample: int = 10  # answers needed before a rate can flag anyone
    render: Renderer | None = None  # without one, payloads carry the facts and no ``text``
    # Channels whose residents are asked by SMS and answer by the provider's uplink (phone, hotline): they
    # have no subscriber row, so they are asked whenever the centre can text the question (a survey template).
    texted: frozenset[str] = frozenset()
