"""Departments (条线) as first-class records: validated create / edit / deactivate, and dispatch resolution.

A department is ``<region code>-<line>`` by convention (not by rule: imports may name their own codes).
A category names a *line* ("water"); :func:`resolve` turns a line into the active department of that line
nearest above the case's cell, so dispatch with ``{"department": "water"}`` reaches the right bureau.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from intake.errors import Conflict, Invalid, NotFound
from intake.store.models import Department, Region

CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,63}")
LINE = re.compile(r"[a-z][a-z0-9_]{0,39}")
EMAIL = re.compile(r"[^@\s<>\"',;]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
EDITABLE = ("line", "name", "region_code", "email", "wecom_group", "active")


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    code: str
    line: str
    name: str
    region_code: str
    email: str | None = None
    wecom_group: str | None = None
    active: bool = True

    def checked(self) -> DepartmentSpec:
        """Itself when every field is well-formed; else ``Invalid`` naming the field."""
        if not CODE.fullmatch(self.code):
            raise Invalid("code: letters, digits, '_', '-' or '.', at most 64", field="code")
        if not LINE.fullmatch(self.line):
            raise Invalid("line: a lower-case line code such as 'water' (a-z, 0-9, '_')", field="line")
        _text("name", self.name, 100, required=True)
        if not (self.region_code.isascii() and self.region_code.isdigit() and len(self.region_code) <= 20):
            raise Invalid("region_code: a grid code (digits)", field="region_code")
        if self.email is not None and (len(self.email) > 200 or not EMAIL.fullmatch(self.email)):
            raise Invalid("email: not a mail address", field="email")
        _text("wecom_group", self.wecom_group, 200)
        return self


def _text(name: str, value: str | None, width: int, *, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            raise Invalid(f"{name} is required", field=name)
        return
    if len(value) > width or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise Invalid(f"{name}: at most {width} characters, no control characters", field=name)


async def listing(*, line: str | None = None, region: str | None = None,
                  active: bool | None = None) -> list[Department]:
    query = Department.all().order_by("code")
    if line:
        query = query.filter(line=line)
    if region:
        query = query.filter(region_code=region)
    if active is not None:
        query = query.filter(active=active)
    return await query


async def get(code: str) -> Department:
    found = await Department.get_or_none(code=code)
    if found is None:
        raise NotFound(f"no department {code!r}")
    return found


async def create(spec: DepartmentSpec) -> Department:
    spec = spec.checked()
    await _region_exists(spec.region_code)
    async with in_transaction():
        if await Department.exists(code=spec.code):
            raise Conflict(f"department {spec.code!r} exists; edit it instead", code=spec.code)
        return await Department.create(**_row(spec))


async def edit(code: str, changes: Mapping[str, Any]) -> Department:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(f"cannot change {', '.join(unknown)}", allowed=list(EDITABLE))
    dept = await get(code)
    merged = DepartmentSpec(**{**_spec_fields(dept), **changes}).checked()
    if merged.region_code != dept.region_code:
        await _region_exists(merged.region_code)
    for name, value in _row(merged).items():
        setattr(dept, name, value)
    await dept.save()
    return dept


async def deactivate(code: str) -> Department:
    return await edit(code, {"active": False})


async def upsert_all(specs: Sequence[DepartmentSpec]) -> tuple[int, int]:
    """Create or update every department in one transaction (an import); ``(created, updated)``."""
    checked = [s.checked() for s in specs]
    regions = {r for r in await Region.filter(code__in=list({s.region_code for s in checked}))
               .values_list("code", flat=True)}
    missing = sorted({s.region_code for s in checked} - {str(r) for r in regions})
    if missing:
        raise Invalid(f"unknown region codes: {', '.join(missing[:10])}", field="region_code")
    created = updated = 0
    async with in_transaction():
        existing = {d.code: d for d in await Department.filter(code__in=[s.code for s in checked])}
        for spec in checked:
            if spec.code in existing:
                await Department.filter(code=spec.code).update(**_row(spec))
                updated += 1
            else:
                await Department.create(**_row(spec))
                created += 1
    return created, updated


async def resolve(target: str, chain: Sequence[str]) -> Department:
    """The department a dispatch names: its code, or a line resolved along ``chain`` (the case's cell
    and the regions above it, nearest first) to the nearest active department of that line."""
    exact = await Department.get_or_none(code=target)
    if exact is not None:
        if not exact.active:
            raise Invalid(f"department {target!r} is deactivated")
        return exact
    if LINE.fullmatch(target):
        found = await nearest(target, chain)
        if found is not None:
            return found
        raise Invalid(f"no active department of line {target!r} for this case's area", line=target)
    raise Invalid(f"unknown department {target!r}")


async def nearest(line: str, chain: Sequence[str]) -> Department | None:
    """The active department of ``line`` nearest along ``chain`` (nearest first), or None."""
    order = list(chain)
    found = await Department.filter(line=line, active=True, region_code__in=order)
    return min(found, key=lambda d: order.index(d.region_code)) if found else None


async def _region_exists(code: str) -> None:
    if not await Region.exists(code=code):
        raise Invalid(f"unknown region {code!r}", field="region_code")


def _spec_fields(dept: Department) -> dict[str, Any]:
    return {"code": dept.code, "line": dept.line, "name": dept.name, "region_code": dept.region_code,
            "email": dept.email, "wecom_group": dept.wecom_group, "active": dept.active}


def _row(spec: DepartmentSpec) -> dict[str, Any]:
    return {"code": spec.code, "line": spec.line, "name": spec.name, "region_code": spec.region_code,
            "email": spec.email or None, "wecom_group": spec.wecom_group or None, "active": spec.active}
