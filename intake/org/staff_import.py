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
        known = await _Known.load(rows)
        grids: dict[int, tuple[str, ...]] = {}  # the users whose grids the file sets (the last row wins)
        for row in rows:
            user = known.match(row)
            if user is None:
                user = await User.create(**row.fields, token_hash=new_token_hash(), origin="import")
                created += 1
            elif not known.same(user, row):
                await User.filter(id=user.id).update(**row.fields)
                user.update_from_dict(row.fields)
                updated += 1
            else:
                continue
            known.add(user, row.grids)
            grids[user.id] = row.grids
        # Two statements for every changed user's grids, not two per user (2,000 staff in seconds).
        for chunk in _chunks(list(grids)):
            await UserGrid.filter(user_id__in=chunk).delete()
        await UserGrid.bulk_create([UserGrid(user_id=u, grid_code=g) for u, codes in grids.items() for g in codes],
                                   batch_size=1000)
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


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@dataclass
class _Known:
    """The stored users the file's rows may be (by WeCom user id, else mobile: the lowest id wins) and their
    grids, read in a few queries before the rows are applied; users the file creates join as they come."""

    by_wecom: dict[str, User]
    by_phone: dict[str, User]
    grids: dict[int, tuple[str, ...]]

    @classmethod
    async def load(cls, rows: list[StaffRow]) -> _Known:
        wecom = [r.wecom_userid for r in rows if r.wecom_userid]
        phones = [r.phone for r in rows if r.phone]
        users = [u for chunk in _chunks(wecom) for u in await User.filter(wecom_userid__in=chunk)]
        users += [u for chunk in _chunks(phones) for u in await User.filter(phone__in=chunk)]
        known = cls({}, {}, {})
        for user in sorted({u.id: u for u in users}.values(), key=lambda u: u.id):
            known.add(user, None)
        ids = list(known.grids)
        for chunk in _chunks(ids):
            for user_id, code in await UserGrid.filter(user_id__in=chunk).values_list("user_id", "grid_code"):
                known.grids[int(user_id)] = (*known.grids[int(user_id)], str(code))
        return known

    def add(self, user: User, grids: tuple[str, ...] | None) -> None:
        if user.wecom_userid:
            self.by_wecom.setdefault(user.wecom_userid, user)
        if user.phone:
            self.by_phone.setdefault(user.phone, user)
        self.grids[user.id] = grids if grids is not None else self.grids.get(user.id, ())

    def match(self, row: StaffRow) -> User | None:
        found = self.by_wecom.get(row.wecom_userid) if row.wecom_userid else None
        return found or (self.by_phone.get(row.phone) if row.phone else None)

    def same(self, user: User, row: StaffRow) -> bool:
        mine = {"name": user.name, "role": user.role, "department_code": user.department_code,
                "wecom_userid": user.wecom_userid, "phone": user.phone, "active": user.active}
        return mine == row.fields and tuple(sorted(self.grids.get(user.id, ()))) == row.grids
