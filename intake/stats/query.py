"""What a statistics request asks for: the grouping, the window of receipt, an optional reporter set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CaseQuery:
    by: str
    since: datetime | None = None  # time of receipt (the ``open`` event), inclusive
    until: datetime | None = None  # time of receipt, exclusive
    reporter_prefix: str | None = None  # a drill-down (and tests' isolation on a shared database)
    area: str | None = None  # a grid-code prefix (street, community, cell) within the caller's scope


def prefix(raw: str) -> str:
    """A reporter prefix with LIKE's wildcards and escape removed (it is matched as plain text)."""
    return raw.replace("%", "").replace("_", "").replace("\\", "")
