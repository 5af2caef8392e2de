"""What the console's forms offer to choose from: areas, workers and departments within the user's reach.

Offering is a convenience; intake decides (a dispatcher who types another street's worker is refused there).
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from intake.cases.model import Actor
from intake.cases.states import Role
from intake.store.models import Case, Department, Region, User, UserGrid

MAX_WORKERS = 500  # a datalist, not a directory: the id field takes any number


async def areas(actor: Actor) -> list[tuple[str, str]]:
    """``(code, name)`` of the streets and communities in the actor's area, streets first."""
    rows = await Region.filter(level__in=["street", "community"]).order_by("code").values("code", "name", "level")
    mine = [r for r in rows if actor.covers(str(r["code"]))]
    return [(str(r["code"]), ("" if r["level"] == "street" else "— ") + str(r["name"])) for r in mine]


async def area_workers(actor: Actor) -> list[tuple[int, str]]:
    """Active workers with a cell in the actor's area, by name."""
    links = UserGrid.filter(user__role="worker", user__active=True)
    if actor.grids and actor.role not in (Role.ADMIN, Role.SYSTEM):
        # An area covers every cell under it: ask ``covers`` once per area, and the database for the cells
        # under those (a street's few thousand cells were a check each, on every desk page).
        areas = [g for g in actor.grids if actor.covers(g)]
        under = links.filter(Q(*(Q(grid_code__startswith=g) for g in areas), join_type="OR")) if areas else None
        found = await under.distinct().values("user_id") if under is not None else []
        ids = sorted(int(r["user_id"]) for r in found)[:MAX_WORKERS]
    else:
        rows = await links.values("user_id", "grid_code")
        ids = sorted({int(r["user_id"]) for r in rows if actor.covers(str(r["grid_code"]))})[:MAX_WORKERS]
    return [(u.id, u.name) for u in await User.filter(id__in=ids).order_by("name")]


async def cell_workers(case: Case) -> list[tuple[int, str]]:
    """Active workers whose grids hold the case's cell: whom the dispatch form offers first."""
    if not case.grid_code:
        return []
    cells = [case.grid_code[:n] for n in range(1, len(case.grid_code) + 1)]  # the cell and every level above
    links = await UserGrid.filter(grid_code__in=cells).values("user_id")
    users = await User.filter(id__in=sorted({int(r["user_id"]) for r in links}), role="worker",
                              active=True).order_by("name")
    return [(u.id, u.name) for u in users]


async def all_departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in await Department.filter(active=True).order_by("code")]


async def staff() -> list[tuple[int, str, str]]:
    """Every active staff user who may sign in to a page: ``(id, name, role)``."""
    rows = await User.filter(active=True).exclude(role="resident").order_by("id")
    return [(u.id, u.name, u.role) for u in rows]


async def assist_rows(case: Case) -> list[dict[str, Any]]:
    """The case's 协办 sub-tasks with their unit's name (a department's or a worker's), pending first."""
    entries = list(case.assists or [])
    depts = {d.code: d.name for d in await Department.filter(code__in=[a["ref"] for a in entries
                                                                      if a["kind"] == "department"])}
    ids = [int(a["ref"]) for a in entries if a["kind"] == "worker" and str(a["ref"]).isdigit()]
    people = {str(u.id): u.name for u in await User.filter(id__in=ids)}
    named = [{**a, "name": (depts if a["kind"] == "department" else people).get(a["ref"], a["ref"])} for a in entries]
    return sorted(named, key=lambda a: (a["status"] != "pending", a["id"]))
