"""The taxonomy as stored: versioned, edited by admins, never losing a code.

The shipped YAML seeds version 1. Every admin change writes a new version and a
``TaxonomyChange`` row with the before/after state; codes never change, so a
rename or a move keeps every case and label pointing at the same category, and
retiring only hides a code from new cases.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tortoise.transactions import in_transaction

from intake.errors import Invalid, NotFound
from intake.store.models import CategoryRow, TaxonomyChange, TaxonomyVersion
from intake.taxonomy.catalog import Catalog, Category, category_from_dict

EDITABLE = frozenset({"name_zh", "name_en", "severity", "time_limit_hours", "handler", "department",
                      "self_handle", "synonyms"})


def category_to_dict(category: Category) -> dict[str, Any]:
    # Its fields are flat (no dataclass inside), so no deep copy (``dataclasses.asdict``): seeding the
    # shipped ~360 categories on a first start spent a tenth of a second copying them.
    raw = {f.name: getattr(category, f.name) for f in dataclasses.fields(category)}
    return {k: (list(v) if isinstance(v, tuple) else str(v) if hasattr(v, "value") else v)
            for k, v in raw.items()}


class TaxonomyStore:
    """Holds the live :class:`Catalog` and the version it came from."""

    def __init__(self, shipped: Catalog) -> None:
        self._shipped = shipped
        self.catalog = shipped
        self.version = 0

    async def seed(self) -> None:
        """Write the shipped taxonomy as version 1 into an empty database."""
        if await TaxonomyVersion.exists():
            return
        async with in_transaction():
            await TaxonomyVersion.create(version=1, actor="system", note="shipped taxonomy")
            await CategoryRow.bulk_create(
                [CategoryRow(code=c.code, data=category_to_dict(c), retired=c.retired, version=1)
                 for c in self._shipped]
            )

    async def refresh(self) -> bool:
        """Reload when another process published a newer version; True when it did."""
        latest = await self._latest()
        if latest == self.version:
            return False
        rows = await CategoryRow.all()
        categories = [category_from_dict({**row.data, "retired": row.retired}) for row in rows]
        self.catalog = Catalog(categories, self._shipped.departments.values())
        self.version = latest
        return True

    async def add(self, actor: str, data: dict[str, Any]) -> Category:
        code = str(data.get("code", ""))
        if not code or self.catalog.find(code) is not None:
            raise Invalid(f"category code {code!r} is empty or already used")
        category = self._validated(category_from_dict(_with_defaults(data)))
        await self._publish(actor, f"add {code}", code, "add", None, category)
        return category

    async def update(self, actor: str, code: str, changes: dict[str, Any]) -> Category:
        """Rename, re-parent, retire or edit operational fields; the code stays."""
        before = self._get(code)
        unknown = set(changes) - EDITABLE - {"parent", "retired", "successor"}
        if unknown:
            raise Invalid(f"fields cannot be changed: {sorted(unknown)}")
        after = self._validated(category_from_dict({**category_to_dict(before), **changes}))
        op = "retire" if after.retired and not before.retired else (
            "reparent" if after.parent != before.parent else "edit")
        await self._publish(actor, f"{op} {code}", code, op, before, after)
        return after

    def _get(self, code: str) -> Category:
        found = self.catalog.find(code)
        if found is None:
            raise NotFound(f"no category {code!r}")
        return found

    def _validated(self, category: Category) -> Category:
        others = [c for c in self.catalog if c.code != category.code]
        try:
            Catalog([*others, category], self.catalog.departments.values())
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        return category

    async def _publish(self, actor: str, note: str, code: str, op: str,
                       before: Category | None, after: Category) -> None:
        async with in_transaction():
            version = await self._latest() + 1
            await TaxonomyVersion.create(version=version, actor=actor, note=note)
            await TaxonomyChange.create(version=version, code=code, op=op,
                                        before=category_to_dict(before) if before else None,
                                        after=category_to_dict(after))
            await CategoryRow.update_or_create(
                defaults={"data": category_to_dict(after), "retired": after.retired, "version": version},
                code=code)
        await self.refresh()

    @staticmethod
    async def _latest() -> int:
        row = await TaxonomyVersion.all().order_by("-version").first()
        return row.version if row else 0


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "local", "source": "local", "synonyms": [], **data}
