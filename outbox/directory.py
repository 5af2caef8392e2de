"""Where staff are reached: grid group robots (nearest ancestor's group), department and region mail.

The group table and the region tree are small: they are cached and reloaded
every ``ttl_s`` seconds, so routing a message costs no query for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from intake.store.models import Department, Region, UserGrid
from intake.store.models_outbox import GridGroup

MAX_DEPTH = 8  # district → street → community → grid, with room to spare; stops a cycle in bad data


@dataclass
class Directory:
    ttl_s: float = 30.0
    _groups: dict[str, str] = field(default_factory=dict)
    _parents: dict[str, str | None] = field(default_factory=dict)
    _loaded_at: float = -1e18

    async def refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._loaded_at < self.ttl_s:
            return
        rows = await GridGroup.all().values_list("grid_code", "webhook_key")
        self._groups = {str(code): str(key) for code, key in rows}
        regions = await Region.all().values_list("code", "parent_code")
        self._parents = {str(code): (str(parent) if parent else None) for code, parent in regions}
        self._loaded_at = time.monotonic()

    def group_for(self, code: str | None) -> tuple[str, str] | None:
        """``(grid code whose group it is, webhook key)`` for ``code`` or its nearest ancestor with a group."""
        for cell in self.chain(code):
            if cell in self._groups:
                return cell, self._groups[cell]
        return None

    def chain(self, code: str | None) -> list[str]:
        """``code`` and its ancestors, nearest first."""
        out: list[str] = []
        while code and len(out) < MAX_DEPTH:
            out.append(code)
            code = self._parents.get(code)
        return out


async def worker_grids(user_id: str) -> list[str]:
    if not (user_id.isascii() and user_id.isdigit()):
        return []
    return [str(g) for g in await UserGrid.filter(user_id=int(user_id)).values_list("grid_code", flat=True)]


async def department_email(code: str) -> str | None:
    dept = await Department.get_or_none(code=code)
    return dept.email if dept is not None and dept.email else None


async def region_email(directory: Directory, region: str) -> str | None:
    """The mail of a department seated in ``region`` or the nearest region above it."""
    for code in directory.chain(region):
        email = await Department.filter(region_code=code, email__not_isnull=True).exclude(email="") \
            .order_by("id").values_list("email", flat=True)
        if email:
            return str(email[0])
    return None
