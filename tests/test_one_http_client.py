"""One outbound HTTP seam: only notify/http.py opens an ``aiohttp.ClientSession`` in the product code.

WeChat, WeCom, the mini-program, the menu command and feed polling all go through
:class:`notify.http.Http` (timeouts, size limits, secrets scrubbed from errors). bench/ and tests/
are clients of our own server, not of WeChat, and are not product code.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCT = {"tests", "bench", ".venv", "build", "var"}


def sessions_opened(path: Path) -> int:
    """Calls of ``ClientSession(...)`` or ``aiohttp.ClientSession(...)`` in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return sum(1 for f in calls if (isinstance(f, ast.Name) and f.id == "ClientSession")
               or (isinstance(f, ast.Attribute) and f.attr == "ClientSession"))


def product_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not NOT_PRODUCT & set(p.relative_to(ROOT).parts) and not p.relative_to(ROOT).parts[0].startswith(".")]


def test_only_notify_http_opens_a_client_session() -> None:
    opening = {str(p.relative_to(ROOT)) for p in product_files() if sessions_opened(p)}
    assert opening == {"notify/http.py"}


def test_the_checker_sees_both_spellings(tmp_path: Path) -> None:
    src = tmp_path / "x.py"
    src.write_text("import aiohttp\nfrom aiohttp import ClientSession\n"
                   "a = aiohttp.ClientSession()\nb = ClientSession(timeout=None)\nc = ClientSession\n",
                   encoding="utf-8")
    assert sessions_opened(src) == 2
