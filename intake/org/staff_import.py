"""``gridline setup import-staff``: staff users from a table (CSV or Excel), created or updated all at once.

Columns: ``name, role`` and optionally ``grids`` (codes separated by ``;``, ``,`` or spaces), ``department``,
``wecom_userid``, ``mobile``, ``active``. A row is the same person as a stored user with its WeCom user id,
else with its mobile — one of the two is required, so importing the file again updates instead of adding
anyone twice. All-or-nothing: one bad row and nothing is stored, the error naming its line. New users get
an API token nobody knows (``user rotate-token`` or a console password gives them access).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from intake.cases.states import Role
from intake.errors import Invalid
from intake.org.imports import _FALSE, _TRUE
from intake.org.tables import Row, read_table
from intake.org.users import MAX_GRIDS, PHONE, STAFF_ROLES, WECOM_ID
from intake.store.models import Department, Region, User, UserGrid

STAFF_COLUMNS = ("name", "role")
SEPARATORS = re.compile(r"[;,\s]+")


@dataclass(frozen=True, slots=True)
class StaffRow:
    line: str
    name: str
    role: str
    grids: tuple[str, ...]
    department: str | None
    wecom_userid: str | None
    phone: str | None
    active: bool

    @property
    def fields(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "department_code": self.department,
                "wecom_userid": self.wecom_userid, "phone": self.phone, "active": self.active}


async def import_staff(path: Path, new_token_hash: Callable[[], str]) -> tuple[int, int, int]:
    """``(created, updated, unchanged)``; raises ``Invalid`` and stores nothing when any row is wrong."""
    rows = [_row(path.name, r) for r in read_table(path, STAFF_COLUMNS)]
    if not rows:
        raise Invalid(f"{path.name}: no staff rows")
    _unique(path.name, rows)
    await _references(path.name, rows)
    created = updated = 0
    async with in_transaction():
        for row in rows:
            user = await _match(row)
            if user is None:
                user = await User.create(**row.fields, token_hash=new_token_hash(), origin="import")
                created += 1
            elif not await _same(user, row):
                await User.filter(id=user.id).update(**row.fields)
                updated += 1
            else:
                continue
            await UserGrid.filter(user_id=user.id).delete()
            await UserGrid.bulk_create([UserGrid(user_id=user.id, grid_code=g) for g in row.grids])
    return created, updated, len(rows) - created - updated


def _row(name: str, r: Row) -> StaffRow:
    here = f"{name} line {r['_line']}"
    person, role = r["name"], r["role"].lower()
    if not person or len(person) > 100 or any(ord(c) < 32 for c in person):
        raise Invalid(f"{here}: name must be 1–100 characters")
    if role not in STAFF_ROLES:
        raise Invalid(f"{here}: role must be one of {', '.join(sorted(STAFF_ROLES))}")
    grids = tuple(sorted({g for g in SEPARATORS.split(r.get("grids", "")) if g}))
    if len(grids) > MAX_GRIDS or not all(g.isascii() and g.isdigit() and len(g) <= 20 for g in grids):
        raise Invalid(f"{here}: grids must be grid codes (digits), at most {MAX_GRIDS}")
    wecom, phone = r.get("wecom_userid") or None, r.get("mobile") or None
    if wecom is not None and not WECOM_ID.fullmatch(wecom):
        raise Invalid(f"{here}: wecom_userid {wecom[:40]!r} is not a WeCom user id")
    if phone is not None and not PHONE.fullmatch(phone):
        raise Invalid(f"{here}: mobile {phone[:40]!r} is not a phone number")
    if wecom is None and phone is None:
        raise Invalid(f"{here}: give wecom_userid or mobile, so a second import finds the same person")
    active = r.get("active", "").lower()
    if active not in _TRUE | _FALSE:
        raise Invalid(f"{here}: active must be true or false")
    department = r.get("department") or None
    if role == Role.DEPARTMENT and department is None:
        raise Invalid(f"{here}: a department user needs a department")
    return StaffRow(r["_line"], person, role, grids, department, wecom, phone, active in _TRUE)


def _unique(name: str, rows: list[StaffRow]) -> None:
    seen: dict[str, str] = {}
    for row in rows:
        key = f"wecom:{row.wecom_userid}" if row.wecom_userid else f"mobile:{row.phone}"
        if key in seen:
            raise Invalid(f"{name} line {row.line}: the same person as line {seen[key]} ({key})")
        seen[key] = row.line


async def _references(name: str, rows: list[StaffRow]) -> None:
    """Every grid and department a row names exists (two queries for the whole file)."""
    grids = {g for row in rows for g in row.grids}
    found = {str(c) for c in await Region.filter(code__in=list(grids)).values_list("code", flat=True)}
    departments = {row.department for row in rows if row.department}
    known = {str(c) for c in await Department.filter(code__in=list(departments)).values_list("code", flat=True)}
    for row in rows:
        missing = [g for g in row.grids if g not in found]
        if missing:
            raise Invalid(f"{name} line {row.line}: unknown grid codes {', '.join(missing[:5])}")
        if row.department and row.department not in known:
            raise Invalid(f"{name} line {row.line}: unknown department {row.department!r}")


async def _match(row: StaffRow) -> User | None:
    if row.wecom_userid:
        found = await User.filter(wecom_userid=row.wecom_userid).order_by("id").first()
        if found is not None:
            return found
    return await User.filter(phone=row.phone).order_by("id").first() if row.phone else None


async def _same(user: User, row: StaffRow) -> bool:
    grids = await UserGrid.filter(user_id=user.id).values_list("grid_code", flat=True)
    mine = {"name": user.name, "role": user.role, "department_code": user.department_code,
            "wecom_userid": user.wecom_userid, "phone": user.phone, "active": user.active}
    return mine == row.fields and tuple(sorted(str(g) for g in grids)) == row.grids
