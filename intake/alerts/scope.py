"""Whose alert it is: an alert carries its author's area, and only staff covering that area change it.

A dispatcher scoped to a street (葵涌) could update and cancel an alert 南澳 issued. Now an alert keeps
the grid prefixes its author covered (``None``: the whole city — admins, city-wide dispatchers, CAP feeds),
and a scoped dispatcher may only issue an alert whose cells lie in their own area, and update or cancel
only alerts whose author's area lies within theirs. Admins (and the system: feeds, replays) act anywhere.
Acknowledgements are per cell and already limited to the staff covering that cell.
"""

from __future__ import annotations

from collections.abc import Iterable

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden


def author_scope(actor: Actor | None) -> list[str] | None:
    """The area an alert by ``actor`` belongs to: their grid prefixes, or ``None`` for the whole city."""
    if actor is None or actor.role in (Role.ADMIN, Role.SYSTEM) or not actor.grids:
        return None
    return sorted(actor.grids)


def check_cells(actor: Actor | None, cells: Iterable[str]) -> None:
    """A scoped author may only target cells inside their own area."""
    if author_scope(actor) is None:
        return
    assert actor is not None
    outside = [c for c in cells if not actor.covers(c)]
    if outside:
        raise Forbidden(f"the alert's area reaches {len(outside)} cells outside your area "
                        f"(e.g. {outside[0][:20]}); ask a city-wide dispatcher or an admin", cells=len(outside))


def check_change(actor: Actor | None, scope: list[str] | None, alert_id: int) -> None:
    """Updating or cancelling: the alert's author's area must lie within ``actor``'s."""
    mine = author_scope(actor)
    if mine is None:
        return
    assert actor is not None
    if scope is None or not all(actor.covers(prefix) for prefix in scope):
        raise Forbidden(f"alert {alert_id} was issued for an area outside yours")
