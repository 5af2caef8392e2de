"""Staff users: list, edit (role, grids, department, WeCom id, mobile, duty), deactivate, new token.

Only the SHA-256 of a token is stored; callers make the token and pass its hash. A deactivated user
loses access at the next request: authentication reads ``active`` every time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from intake.cases.states import Role
from intake.errors import Invalid, NotFound
from intake.store.models import Department, Region, User, UserGrid

STAFF_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.WORKER, Role.DEPARTMENT, Role.SUPERVISOR})
EDITABLE = ("name", "role", "grids", "department_code", "wecom_userid", "phone", "on_leave", "substitute_id")
WECOM_ID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")
MAX_GRIDS = 500


@dataclass(frozen=True, slots=True)
class StaffUser:
    user: User
    grids: tuple[str, ...]


async def listing(*, role: str | None = None, active: bool | None = None,
                  department: str | None = None) -> list[StaffUser]:
    query = User.all().order_by("id")
    if role:
        query = query.filter(role=role)
    if active is not None:
        query = query.filter(active=active)
    if department:
        query = query.filter(department_code=department)
    users = await query
    grids: dict[int, list[str]] = {}
    for link in await UserGrid.filter(user_id__in=[u.id for u in users]).order_by("grid_code"):
        grids.setdefault(link.user_id, []).append(link.grid_code)  # type: ignore[attr-defined]
    return [StaffUser(u, tuple(grids.get(u.id, ()))) for u in users]


async def get(user_id: int) -> StaffUser:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    grids = await UserGrid.filter(user_id=user_id).order_by("grid_code").values_list("grid_code", flat=True)
    return StaffUser(user, tuple(str(g) for g in grids))


async def create(name: str, role: str, token_hash: str, changes: Mapping[str, Any]) -> StaffUser:
    user = User(name=name, role=role, token_hash=token_hash, origin="api")
    checked = await _checked(user, {"name": name, "role": role, **changes})
    async with in_transaction():
        await _apply(user, checked)
    return await get(user.id)


async def edit(user_id: int, changes: Mapping[str, Any]) -> StaffUser:
    user = (await get(user_id)).user
    checked = await _checked(user, changes)
    async with in_transaction():
        await _apply(user, checked)
    return await get(user_id)


async def deactivate(user_id: int) -> StaffUser:
    user = (await get(user_id)).user
    user.active = False
    await user.save(update_fields=["active"])
    # Whoever stood in for them or had them as a substitute falls back to the grid's other workers.
    await User.filter(substitute_id=user_id).update(substitute_id=None)
    return await get(user_id)


async def rotate_token(user_id: int, token_hash: str) -> StaffUser:
    """Replace the user's token: the old one stops working at once."""
    user = (await get(user_id)).user
    user.token_hash = token_hash
    await user.save(update_fields=["token_hash"])
    return await get(user_id)


async def _checked(user: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(f"cannot change {', '.join(unknown)}", allowed=list(EDITABLE))
    out = dict(changes)
    if "name" in out and (not str(out["name"]).strip() or len(str(out["name"])) > 100):
        raise Invalid("name: 1–100 characters", field="name")
    role = str(out.get("role", user.role))
    if role not in STAFF_ROLES:
        raise Invalid(f"role must be one of {', '.join(sorted(STAFF_ROLES))}", field="role")
    if out.get("grids") is not None:
        out["grids"] = await _grids(out["grids"])
    department = out.get("department_code", user.department_code)
    if department and not await Department.exists(code=department):
        raise Invalid(f"unknown department {department!r}", field="department_code")
    if role == Role.DEPARTMENT and not department:
        raise Invalid("a department user needs department_code", field="department_code")
    _pattern(out, "wecom_userid", WECOM_ID)
    _pattern(out, "phone", PHONE)
    if out.get("substitute_id") is not None:
        await _substitute(user, int(out["substitute_id"]))
    return out


def _pattern(out: dict[str, Any], name: str, pattern: re.Pattern[str]) -> None:
    value = out.get(name)
    if value not in (None, "") and not pattern.fullmatch(str(value)):
        raise Invalid(f"{name}: not a valid value", field=name)
    if value == "":
        out[name] = None


async def _grids(grids: Any) -> list[str]:
    if not isinstance(grids, list | tuple) or len(grids) > MAX_GRIDS:
        raise Invalid(f"grids: a list of at most {MAX_GRIDS} grid codes", field="grids")
    codes = sorted({str(g) for g in grids})
    known = {str(c) for c in await Region.filter(code__in=codes).values_list("code", flat=True)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(f"unknown grid codes: {', '.join(unknown[:10])}", field="grids")
    return codes


async def _substitute(user: User, substitute_id: int) -> None:
    other = await User.get_or_none(id=substitute_id, active=True)
    if other is None or other.role != Role.WORKER or other.id == user.id:
        raise Invalid("substitute_id must name another active worker", field="substitute_id")


async def _apply(user: User, changes: dict[str, Any]) -> None:
    for name in ("name", "role", "department_code", "wecom_userid", "phone", "on_leave", "substitute_id"):
        if name in changes:
            setattr(user, name, changes[name])
    await user.save()
    if changes.get("grids") is not None:
        await UserGrid.filter(user_id=user.id).delete()
        await UserGrid.bulk_create([UserGrid(user=user, grid_code=g) for g in changes["grids"]])
