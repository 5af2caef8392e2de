"""Likely duplicates of a new report: same category, near, recent, similar text.

"Near" is the same or a neighbouring cell, or within the category's radius
(default 250 m). Similarity is character-bigram overlap, which suits short
Chinese texts without a tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from intake.cases.states import OPEN
from intake.grid.geodesy import haversine_m
from intake.store.models import Case

WINDOW = timedelta(days=7)
DEFAULT_RADIUS_M = 250.0
MIN_SIMILARITY = 0.2
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Candidate:
    case_no: str
    status: str
    description: str
    similarity: float
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class Probe:
    """The new report as the duplicate finder sees it."""

    category: str
    description: str
    near_cells: frozenset[str]
    lng: float | None
    lat: float | None
    radius_m: float = DEFAULT_RADIUS_M


def bigrams(text: str) -> frozenset[str]:
    clean = _DROP.sub("", text.lower())
    return frozenset(clean[i:i + 2] for i in range(len(clean) - 1)) or frozenset({clean})


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


async def find(probe: Probe, now: datetime, limit: int = 5) -> list[Candidate]:
    near = Q(grid_code__in=sorted(probe.near_cells)) if probe.near_cells else Q(id=-1)
    if probe.lng is not None and probe.lat is not None:
        d = probe.radius_m / 111_000 * 1.5  # a generous box; the exact distance is checked below
        near |= Q(lat__gte=probe.lat - d, lat__lte=probe.lat + d, lng__gte=probe.lng - d, lng__lte=probe.lng + d)
    # Only the columns we compare: building 30-column model objects was most of the cost.
    rows = await Case.filter(near, category_code=probe.category, status__in=[str(s) for s in OPEN],
                             opened_at__gte=now - WINDOW).order_by("-opened_at").limit(200).values(*_COLUMNS)
    found = [c for c in (_candidate(probe, row) for row in rows) if c is not None]
    found.sort(key=lambda c: (-c.similarity, c.distance_m or 0.0))
    return found[:limit]


_COLUMNS = ("case_no", "status", "description", "grid_code", "lat", "lng")


def _candidate(probe: Probe, row: dict[str, Any]) -> Candidate | None:
    distance = None
    if None not in (probe.lng, probe.lat, row["lng"], row["lat"]):
        distance = haversine_m(probe.lng, probe.lat, row["lng"], row["lat"])  # type: ignore[arg-type]
    in_cells = row["grid_code"] in probe.near_cells
    if not in_cells and (distance is None or distance > probe.radius_m):
        return None
    score = similarity(probe.description, row["description"])
    if score < MIN_SIMILARITY:
        return None
    return Candidate(row["case_no"], row["status"], row["description"], round(score, 3),
                     None if distance is None else round(distance, 1))
