"""The event taxonomy in memory: case categories and the departments (条线) cases are dispatched to.

Categories are the GB/T 47678.5-2026 事项 (national, majors 01-10) plus the local social-governance
extension (majors 20-29). 部件 are not case categories and are not loaded here. Pure data: the only I/O is
reading the shipped YAML in :meth:`Catalog.load`, which ``tools/build_taxonomy.py`` generates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

DEFAULT_PATH = Path(__file__).with_name("data") / "taxonomy.yaml"
SCHEMA = 1
KINDS = frozenset({"major", "matter", "local"})
# The C loader parses the ~5,000-line file several times faster; PyYAML builds without libyaml lack it.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Severity(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"

    @property
    def default_hours(self) -> int:
        """Hours to resolve a case when its category sets no ``time_limit_hours``."""
        return {"red": 2, "yellow": 24, "blue": 72}[self.value]


class Handler(StrEnum):
    SELF = "self"
    COMMUNITY = "community"
    DEPARTMENT = "department"


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name_zh: str
    name_en: str
    level: str


@dataclass(frozen=True, slots=True)
class Category:
    """A major class or a leaf. Majors carry placeholder operational fields (blue, community triage)."""

    code: str
    kind: str
    parent: str | None
    name_zh: str
    name_en: str
    severity: Severity
    time_limit_hours: int | None
    handler: Handler
    department: str | None
    self_handle: bool
    synonyms: tuple[str, ...]
    part: str | None
    source: str
    retired: bool = False
    successor: str | None = None
    see_also: tuple[str, ...] = ()
    duplicate_radius_m: int | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang.lower().startswith("en") else self.name_zh

    @property
    def is_leaf(self) -> bool:
        return self.kind != "major"

    @property
    def limit_hours(self) -> int:
        return self.time_limit_hours if self.time_limit_hours is not None else self.severity.default_hours


_T = TypeVar("_T", Category, Department)


class Catalog:
    """Validated, read-only set of categories; iteration is in code order."""

    def __init__(self, categories: Iterable[Category], departments: Iterable[Department]) -> None:
        self._departments = MappingProxyType(_index(departments, "department"))
        by_code = _index(categories, "category")
        self._by_code = {code: by_code[code] for code in sorted(by_code)}
        for category in self._by_code.values():
            self._check(category)

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """The catalog in a YAML file (the shipped one by default). A start reads the shipped file three
        times (the demo city's departments, the seed, the app's taxonomy), so a file already parsed and
        unchanged since is not parsed again: the catalog is read-only, one instance serves them all."""
        source = (path or DEFAULT_PATH).resolve()
        stat = source.stat()
        return _parsed(source, stat.st_mtime_ns, stat.st_size)

    @property
    def departments(self) -> Mapping[str, Department]:
        return self._departments

    def get(self, code: str) -> Category:
        category = self._by_code.get(code)
        if category is None:
            raise KeyError(f"unknown category code {code!r}")
        return category

    def find(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def children(self, code: str) -> tuple[Category, ...]:
        self.get(code)
        return tuple(c for c in self._by_code.values() if c.parent == code)

    def leaves(self, include_retired: bool = False) -> tuple[Category, ...]:
        return tuple(c for c in self._by_code.values() if c.is_leaf and (include_retired or not c.retired))

    def majors(self) -> tuple[Category, ...]:
        return tuple(c for c in self._by_code.values() if not c.is_leaf)

    def resolve(self, code: str) -> Category:
        """The live category a retired code now means (a retired code without successor comes back as is)."""
        category, seen = self.get(code), {code}
        while category.retired and category.successor is not None:
            category = self.get(category.successor)
            if category.code in seen:
                raise ValueError(f"category {code}: successor cycle through {category.code}")
            seen.add(category.code)
        return category

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_code.values())

    def _check(self, c: Category) -> None:
        problems: list[str] = []
        if c.kind not in KINDS:
            problems.append(f"unknown kind {c.kind!r}")
        parent = self._by_code.get(c.parent) if c.parent is not None else None
        if c.is_leaf != (parent is not None and not parent.is_leaf):
            problems.append(f"parent {c.parent!r} must be an existing major (none for a major)")
        if c.department is not None and c.department not in self._departments:
            problems.append(f"unknown department {c.department!r}")
        if c.handler is Handler.DEPARTMENT and c.department is None:
            problems.append("handler is department but no department is set")
        refs = (*c.see_also, *([c.successor] if c.successor is not None else []))
        problems += [f"unknown successor/see_also code {ref!r}" for ref in refs if ref not in self._by_code]
        if problems:
            raise ValueError(f"category {c.code}: " + "; ".join(problems))
        if c.retired:
            self.resolve(c.code)  # raises on a successor cycle


@lru_cache(maxsize=8)
def _parsed(source: Path, mtime_ns: int, size: int) -> Catalog:
    raw = yaml.load(source.read_text(encoding="utf-8"), Loader=_Loader)
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise ValueError(f"{source}: not a schema {SCHEMA} taxonomy file")
    departments = (_department(d) for d in raw.get("departments") or ())
    return Catalog((category_from_dict(c) for c in raw.get("categories") or ()), departments)


def _index(items: Iterable[_T], what: str) -> dict[str, _T]:
    index: dict[str, _T] = {}
    for item in items:
        if item.code in index:
            raise ValueError(f"duplicate {what} code {item.code!r}")
        index[item.code] = item
    return index


def category_from_dict(raw: Mapping[str, Any]) -> Category:
    code = str(raw.get("code"))
    try:
        return Category(
            code=code, kind=raw["kind"], parent=raw.get("parent"), name_zh=raw["name_zh"],
            name_en=raw["name_en"], severity=Severity(raw.get("severity", "blue")),
            time_limit_hours=raw.get("time_limit_hours"), handler=Handler(raw.get("handler", "community")),
            department=raw.get("department"), self_handle=bool(raw.get("self_handle", False)),
            synonyms=tuple(raw.get("synonyms") or ()), part=raw.get("part"), source=raw.get("source", ""),
            retired=bool(raw.get("retired", False)), successor=raw.get("successor"),
            see_also=tuple(raw.get("see_also") or ()),
            duplicate_radius_m=raw.get("duplicate_radius_m"),
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"category {code}: {exc!r}") from exc


def _department(raw: Mapping[str, Any]) -> Department:
    try:
        return Department(raw["code"], raw["name_zh"], raw["name_en"], raw["level"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"department {raw!r}: missing {exc}") from exc
