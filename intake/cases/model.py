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
    department: str | None = None  # a department user's department code

    def holds(self, assignee_user_id: int | None, assignee_department: str | None) -> bool:
        """Whether a case with these assignees is this actor's own work (as a person or a department)."""
        if self.user_id is not None and assignee_user_id == self.user_id:
            return True
        return self.role is Role.DEPARTMENT and self.department is not None \
            and assignee_department == self.department

    def covers(self, grid_code: str | None) -> bool:
        """Whether a case in ``grid_code`` is within this actor's scope."""
        if self.role in (Role.ADMIN, Role.SYSTEM):
            return True
        if self.role is Role.DEPARTMENT:
            return False  # a department sees the cases it holds (``holds``), not an area
        desk = self.role in (Role.DISPATCHER, Role.SUPERVISOR)
        if desk and not self.grids:
            return True
        if grid_code is None:
            return desk
        return any(grid_code.startswith(g) for g in self.grids)

    @classmethod
    def resident(cls, channel: str, external_id: str) -> Actor:
        """A resident acting through a channel; ``ref`` is ``<channel>:<external id>`` (events keep it)."""
        return cls(ref=resident_ref(channel, external_id), name=external_id, role=Role.RESIDENT)

    def as_resident(self) -> tuple[str, str] | None:
        """``(channel, external id)`` of a resident actor; None for staff and the system."""
        if self.role is not Role.RESIDENT:
            return None
        channel, sep, external_id = self.ref.partition(":")
        return (channel, external_id) if sep and channel and external_id else None


def resident_ref(channel: str, external_id: str) -> str:
    """How events and outbox keys name a resident: the channel, a colon, the channel's id for them."""
    return f"{channel}:{external_id}"


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
    evidence: tuple[dict[str, Any], ...] = ()  # staff photos: originals' SHA-256, EXIF position and time
    anonymous: bool = False  # hide the reporter from staff, no survey: stored with the case itself
    position_source: str | None = None  # "photo_exif": no device position, the photo's own GPS placed it
    source: str | None = None  # the stored inbound message (dedup key) whose turn opens the case: linked to it


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One step on a case: ``{"action": ..., "note": ..., ...}`` from the admin API."""

    action: str
    note: str | None = None
    attachments: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
