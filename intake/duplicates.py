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

from intake.cases.states import OPEN
from intake.grid.geodesy import haversine_m
from intake.store import db
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
    opened_at: datetime | None = None  # for a resident-facing offer: "3 hours ago", never the words


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
    # Hand-written SQL: this runs on every intake, and building the equivalent ORM query
    # (Q objects, model instances) cost several times the query itself.
    states = [str(s) for s in OPEN]
    since = Case._meta.fields_map["opened_at"].to_db_value(now - WINDOW, Case)
    where: list[str] = []
    params: list[object] = []
    if probe.near_cells:
        where.append(f"grid_code IN ({', '.join('?' * len(probe.near_cells))})")
        params += sorted(probe.near_cells)
    if probe.lng is not None and probe.lat is not None:
        d = probe.radius_m / 111_000 * 1.5  # a generous box; the exact distance is checked below
        where.append("(lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?)")
        params += [probe.lat - d, probe.lat + d, probe.lng - d, probe.lng + d]
    if not where:
        return []
    sql = (f"SELECT {', '.join(_COLUMNS)} FROM cases WHERE category_code = ? AND opened_at >= ? "
           f"AND status IN ({', '.join('?' * len(states))}) AND ({' OR '.join(where)}) "
           "ORDER BY opened_at DESC LIMIT 200")
    rows = await db.fetch(sql, [probe.category, since, *states, *params])
    found = [c for c in (_candidate(probe, row) for row in rows) if c is not None]
    found.sort(key=lambda c: (-c.similarity, c.distance_m or 0.0))
    return found[:limit]


_COLUMNS = ("case_no", "status", "description", "grid_code", "lat", "lng", "opened_at")


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
    opened = Case._meta.fields_map["opened_at"].to_python_value(row["opened_at"])
    return Candidate(row["case_no"], row["status"], row["description"], round(score, 3),
                     None if distance is None else round(distance, 1), opened)
