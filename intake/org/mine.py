"""A worker's duty as their 我的 page shows it: on leave or not, who stands in for them, for whom they stand in.

The same fields ``worker_for`` (intake/grid/store.py) reads to choose who gets a cell's cases; changing
them stays with the dispatcher or admin (``PATCH /admin/v1/users/{id}``), so the page only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.store.models import User


@dataclass(frozen=True, slots=True)
class Duty:
    on_leave: bool
    substitute: str | None  # who takes my cells while I am on leave
    standing_in_for: tuple[str, ...]  # colleagues on leave whose cells come to me


async def duty_of(user_id: int) -> Duty:
    me = await User.get_or_none(id=user_id)
    if me is None:
        return Duty(False, None, ())
    sub = await User.get_or_none(id=me.substitute_id, active=True) if me.substitute_id is not None else None
    absent = await User.filter(substitute_id=user_id, on_leave=True, active=True).order_by("id").values_list(
        "name", flat=True)
    return Duty(bool(me.on_leave), sub.name if sub else None, tuple(str(n) for n in absent))
