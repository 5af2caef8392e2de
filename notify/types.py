"""The outbound port that ``intake`` depends on (types only).

The domain describes *what* should be said to *whom*; the notify package
decides through which channel and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who is told: a resident (channel + external id), a worker, a group, a department."""

    kind: str  # "resident" | "worker" | "grid_group" | "department" | "supervisor"
    ref: str
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """One outbound effect the domain asks for.

    ``key`` makes it idempotent: the same key is delivered at most once.
    """

    kind: str  # e.g. "case.accepted", "case.dispatched", "case.overdue", "case.escalated"
    recipient: Recipient
    key: str
    case_no: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


class Notifier(Protocol):
    """Port for outbound effects; implementations must not raise on delivery failure."""

    async def publish(self, notifications: list[Notification]) -> None: ...
