"""Cross-street assignment: whom a dispatcher may give a case to.

Policy: a dispatcher scoped to an area (a street's 调度员) dispatches only to workers whose every
responsibility grid lies inside that area — a 葵涌 dispatcher cannot hand a case to a 南澳 worker, whose
street's dispatcher decides that worker's load. Admins, city-wide dispatchers and the system (auto-dispatch)
assign anywhere. Departments are city-wide line agencies and stay open to every dispatcher.
"""

from __future__ import annotations

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.errors import Forbidden
from intake.store.models import UserGrid


async def check_worker(actor: Actor, worker_id: int) -> None:
    if actor.role is not Role.DISPATCHER or not actor.grids:
        return
    grids = await UserGrid.filter(user_id=worker_id).values_list("grid_code", flat=True)
    if not grids or not all(actor.covers(str(g)) for g in grids):
        raise Forbidden("a dispatcher assigns only workers whose grids lie inside their own area; "
                        "ask the worker's street or a city-wide dispatcher")
