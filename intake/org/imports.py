"""``gridline setup import-departments``: a table of departments in, created or updated all at once.

Idempotent (a department is keyed by its code: importing the same file twice changes nothing the second
time) and all-or-nothing (one bad row and nothing is stored, with the row's line number in the error).
"""

from __future__ import annotations

from pathlib import Path

from intake.errors import Invalid
from intake.org import departments
from intake.org.departments import DepartmentSpec
from intake.org.tables import Row, read_table

DEPARTMENT_COLUMNS = ("code", "line", "name", "region_code")
_TRUE, _FALSE = {"", "1", "true", "yes", "y", "是"}, {"0", "false", "no", "n", "否"}


async def import_departments(path: Path) -> tuple[int, int]:
    """``(created, updated)``; raises ``Invalid`` and stores nothing when any row is wrong."""
    rows = read_table(path, DEPARTMENT_COLUMNS)
    specs, seen = [], set()
    for row in rows:
        spec = _spec(path.name, row)
        if spec.code in seen:
            raise Invalid(f"{path.name} line {row['_line']}: department {spec.code!r} appears twice")
        seen.add(spec.code)
        specs.append(spec)
    return await departments.upsert_all(specs)


def _spec(name: str, row: Row) -> DepartmentSpec:
    active = row.get("active", "").lower()
    if active not in _TRUE | _FALSE:
        raise Invalid(f"{name} line {row['_line']}: active must be true or false")
    spec = DepartmentSpec(code=row["code"], line=row["line"], name=row["name"], region_code=row["region_code"],
                          email=row.get("email") or None, wecom_group=row.get("wecom_group") or None,
                          active=active in _TRUE)
    try:
        return spec.checked()
    except Invalid as exc:
        raise Invalid(f"{name} line {row['_line']}: {exc.message}", **exc.details) from None
