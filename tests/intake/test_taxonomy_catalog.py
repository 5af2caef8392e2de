"""The shipped taxonomy (GB/T 47678.5-2026 matters + local extension) and the catalog's validation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake.taxonomy.catalog import DEFAULT_PATH, Catalog, Category, Handler, Severity
from tests.conftest import shared_data

REPO = Path(__file__).parents[2]
STANDARD = "standards/taxonomy_gbt47678.5-2026.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def by_name(catalog: Catalog, name_zh: str) -> Category:
    return next(c for c in catalog.leaves() if c.name_zh == name_zh)


def test_shipped_file_loads(catalog: Catalog) -> None:
    majors = [c.code for c in catalog.majors()]
    assert majors == [f"{n:02d}" for n in range(1, 11)] + [str(n) for n in range(20, 30)]
    assert len(catalog) == len(majors) + len(catalog.leaves())
    assert [c.code for c in catalog] == sorted(c.code for c in catalog)
    assert {c.code for c in catalog.children("06")} == {c.code for c in catalog.leaves() if c.parent == "06"}


def test_all_national_matters_keep_their_codes_and_names(catalog: Catalog) -> None:
    standard = json.loads(shared_data(STANDARD).read_text(encoding="utf-8"))
    national = [c for c in catalog.leaves() if c.kind == "matter"]
    assert len(standard["matters"]) == len(national) == 250
    for matter in standard["matters"]:
        category = catalog.get(matter["code"])
        assert (category.name_zh, category.parent) == (matter["name_zh"], matter["major_code"])
        assert category.part == matter.get("derived_from_component")
        assert category.source == "GB/T 47678.5-2026"
    for code, name in standard["matter_majors"].items():
        assert catalog.get(code).name_zh == name
    parts = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["parts"]
    expected = [(c["code"], c["name_zh"]) for c in standard["components"]]
    assert [(p["code"], p["name_zh"]) for p in parts] == expected
    assert all(p["name_en"] for p in parts)


def test_shipped_file_is_rebuilt_from_overlay(tmp_path: Path) -> None:
    standard = shared_data(STANDARD)
    out = tmp_path / "taxonomy.yaml"
    script = REPO / "tools" / "build_taxonomy.py"
    command = [sys.executable, str(script), str(standard), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    assert out.read_bytes() == DEFAULT_PATH.read_bytes(), "overlay.yaml changed: run tools/build_taxonomy.py"


def test_every_leaf_is_dispatchable(catalog: Catalog) -> None:
    for leaf in catalog.leaves():
        assert leaf.name_zh and leaf.name_en, leaf.code
        assert isinstance(leaf.severity, Severity) and isinstance(leaf.handler, Handler), leaf.code
        assert (leaf.handler is Handler.DEPARTMENT) == (leaf.department in catalog.departments), leaf.code
        assert 3 <= len(leaf.synonyms) <= 8, leaf.code
        assert leaf.limit_hours > 0


def test_synonyms_point_to_one_category(catalog: Catalog) -> None:
    # A keyword matcher must never get a tie from the vocabulary itself.
    counts = Counter(s for leaf in catalog.leaves() for s in {*leaf.synonyms, leaf.name_zh})
    assert [s for s, n in counts.items() if n > 1] == []


def test_local_extension(catalog: Catalog) -> None:
    local = [c for c in catalog.leaves() if c.kind == "local"]
    assert 60 <= len(local) <= 90
    assert all(c.source == "local" and c.parent is not None and "20" <= c.parent <= "29" for c in local)
    assert {d.level for d in catalog.departments.values()} == {"district", "street"}


RED = ["燃气泄漏", "山体滑坡", "泥石流", "内涝积水", "海水倒灌", "火灾", "电梯困人", "不明井盖异常",
       "架空线缆脱落", "房屋倒塌"]


@pytest.mark.parametrize("name", RED)
def test_immediate_dangers_are_red(catalog: Catalog, name: str) -> None:
    category = by_name(catalog, name)
    assert category.severity is Severity.RED and category.limit_hours == 2
    assert category.handler is Handler.DEPARTMENT


@pytest.mark.parametrize("name", ["非法小广告", "暴露垃圾", "占道经营", "乱堆杂物", "邻里纠纷", "表扬感谢"])
def test_routine_items_are_not_red(catalog: Catalog, name: str) -> None:
    assert by_name(catalog, name).severity is not Severity.RED


def test_typical_self_handle_items(catalog: Catalog) -> None:
    for name in ["暴露垃圾", "乱堆杂物", "占道经营", "非法小广告"]:
        assert by_name(catalog, name).self_handle, name
    assert not any(c.self_handle for c in catalog.leaves() if c.severity is Severity.RED)


def test_category_helpers(catalog: Catalog) -> None:
    light = catalog.get("02014")
    assert light.name("en") == "Traffic light out or faulty" and light.name("zh") == "交通信号灯异常"
    assert light.limit_hours == 4 and Severity.BLUE.default_hours == 72
    assert catalog.find("99999") is None
    with pytest.raises(KeyError, match="99999"):
        catalog.get("99999")


# --- validation on hand-built files -------------------------------------------------------------------

DEPT = {"code": "water", "name_zh": "水务局", "name_en": "Water", "level": "district"}
MAJOR = {"code": "20", "kind": "major", "parent": None, "name_zh": "纠纷", "name_en": "Disputes",
         "source": "local"}


def leaf(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "kind": "local", "parent": "20", "name_zh": f"项{code}", "name_en": f"Item {code}",
            "severity": "blue", "time_limit_hours": None, "handler": "department", "department": "water",
            "self_handle": False, "synonyms": ["甲", "乙", "丙"], "part": None, "source": "local", **extra}


def load(tmp_path: Path, *categories: dict[str, Any]) -> Catalog:
    path = tmp_path / "taxonomy.yaml"
    document = {"schema": 1, "departments": [DEPT], "categories": [MAJOR, *categories]}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return Catalog.load(path)


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ([leaf("20001"), leaf("20001")], "duplicate category code '20001'"),
        ([leaf("20001", parent="21")], "category 20001: parent '21'"),
        ([leaf("20001", department="fire")], "category 20001: unknown department 'fire'"),
        ([leaf("20001", department=None)], "category 20001: handler is department"),
        ([leaf("20001", severity="purple")], "category 20001: .*purple"),
        ([leaf("20001", see_also=["20999"])], "category 20001: unknown successor/see_also code '20999'"),
    ],
)
def test_validation_names_the_code(tmp_path: Path, categories: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(tmp_path, *categories)


def test_resolve_follows_successors(tmp_path: Path) -> None:
    catalog = load(tmp_path, leaf("20001", retired=True, successor="20002"),
                   leaf("20002", retired=True, successor="20003"), leaf("20003"), leaf("20004", retired=True))
    assert catalog.resolve("20001").code == "20003"
    assert catalog.resolve("20003").code == "20003"
    assert catalog.resolve("20004").code == "20004"  # withdrawn without replacement
    assert [c.code for c in catalog.leaves()] == ["20003"]
    assert len(catalog.leaves(include_retired=True)) == 4


def test_successor_cycle_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="successor cycle"):
        load(tmp_path, leaf("20001", retired=True, successor="20002"),
             leaf("20002", retired=True, successor="20001"))
