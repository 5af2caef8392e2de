"""The dependency rule, checked on the source. Arrows point down; nothing imports upwards:

    bot     (channels, views, the app factory, the CLI)  → outbox, tuning, intake, nlp, notify
    tuning  (the classifier's runtime: serving, loading, retraining, shadowing) → intake, nlp
    outbox  (the transactional outbox, routing, rendering, the sender's wiring) → intake, notify, nlp types
    intake  (the domain) → only the types of nlp and notify
    nlp, notify → nothing of ours

Every top-level package must be named here: a new one fails the test until it has its place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "bot": {"bot", "outbox", "tuning", "intake", "nlp", "notify"},
    "tuning": {"tuning", "intake", "nlp"},
    "outbox": {"outbox", "intake", "notify", "nlp.types"},
    "intake": {"intake", "nlp.types", "notify.types"},
    "nlp": {"nlp"},
    "notify": {"notify"},
}
OURS = tuple(ALLOWED)
WEB_FREE = ("outbox", "tuning", "intake", "nlp")  # aiohttp is bot's (serving) and notify's (the HTTP client)
UNRULED = {"tests"}  # tests may reach anything they check


def imports(path: Path, roots: tuple[str, ...] = OURS) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [name for name in found if name.split(".")[0] in roots]


def allowed(package: str, module: str) -> bool:
    return any(module == ok or module.startswith(ok + ".") for ok in ALLOWED[package])


@pytest.mark.parametrize("package", OURS)
def test_package_imports_follow_the_rule(package: str) -> None:
    offending = [f"{path.relative_to(ROOT)} imports {module}"
                 for path in sorted((ROOT / package).rglob("*.py"))
                 for module in imports(path) if not allowed(package, module)]
    assert offending == []


@pytest.mark.parametrize("package", WEB_FREE)
def test_only_bot_and_notify_use_aiohttp(package: str) -> None:
    offending = [f"{path.relative_to(ROOT)} imports {module}"
                 for path in sorted((ROOT / package).rglob("*.py"))
                 for module in imports(path, ("aiohttp",)) if module in ("aiohttp", "aiohttp.web")]
    assert offending == []


def test_every_top_level_package_has_its_place() -> None:
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - UNRULED == set(ALLOWED)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from intake.cases import repo\nimport nlp.keyword\n", encoding="utf-8")
    assert imports(bad) == ["intake.cases", "nlp.keyword"]
    assert not allowed("nlp", "intake.cases") and not allowed("intake", "nlp.keyword")
