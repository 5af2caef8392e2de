"""Plain values passed in and out of the case use-cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake.cases.states import Role
from intake.grid.model import Datum


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a staff user, a resident (by channel id), or the system itself."""

    ref: str
    name: str
    role: Role
    grids: tuple[str, ...] = ()
    user_id: int | None = None

    def covers(self, grid_code: str | None) -> bool:
        """Whether a case in ``grid_code`` is within this actor's scope."""
        if self.role in (Role.ADMIN, Role.SYSTEM):
            return True
        if self.role is Role.DISPATCHER and not self.grids:
            return True
        if grid_code is None:
            return self.role is Role.DISPATCHER
        return any(grid_code.startswith(g) for g in self.grids)


SYSTEM = Actor(ref="system", name="gridline", role=Role.SYSTEM)


@dataclass(frozen=True, slots=True)
class NewReport:
    """What a channel hands to intake. Coordinates are in ``datum``; intake converts."""

    channel: str
    reporter: str
    description: str
    lng: float | None = None
    lat: float | None = None
    datum: Datum = Datum.WGS84
    address: str | None = None
    category: str | None = None
    photos: tuple[str, ...] = ()
    anonymous: bool = False  # hide the reporter from staff, no survey: stored with the case itself


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One step on a case: ``{"action": ..., "note": ..., ...}`` from the admin API."""

    action: str
    note: str | None = None
    attachments: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
