"""Domain rules live once in intake and every channel calls them (like the dependency rule, checked on the source).

Who may see or act on a case is decided in intake/cases/visibility.py (residents) and intake/cases/scope.py
(staff, and who answers for a grid); the resident Actor is built by ``Actor.resident``; photos are recorded,
shown to their owner and claimed by intake/cases/media.py.
bot/ asks them instead of querying the case tables or spelling the rules again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Public Open311 reads list every case by the API's own filters: no per-caller rule to decide there.
EXEMPT = {"bot/open311/views.py"}
FORBIDDEN = {
    "a query on the case tables": re.compile(r"\b(Case|CoReporter|Media|Survey)\.(filter|get_or_none|get|exists)\("),
    "a scope check by hand": re.compile(r"\.covers\((case|body)\.grid"),
    "a resident ref built by hand": re.compile(r"""f["']\{[^}]*\}:\{[^}]*\}["']"""),
}
CALLERS = {
    "bot/wechat/handlers/commands.py": "intake.cases import visibility",
    "bot/mp/views_reports.py": "intake.cases import repo, visibility",
    "bot/mp/views_follow.py": "intake.cases import visibility",
    "bot/views/cases.py": "intake.cases import repo, scope",
    "bot/views/messages.py": "intake.cases import repo, scope",
    "bot/views/alerts.py": "intake.cases import scope",
    "bot/mp/views_media.py": "intake.cases import media",
    "bot/web/pages.py": "intake.cases import repo, scope",  # the worker's and the console's case pages
}


def offences(text: str) -> list[str]:
    return [f"{what}: {m.group(0)}" for what, rule in FORBIDDEN.items() for m in rule.finditer(text)]


@pytest.mark.parametrize("package", ["bot/wechat", "bot/mp", "bot/views", "bot/open311", "bot/worker", "bot/web",
                                     "bot/console"])
def test_channels_do_not_spell_the_rules_again(package: str) -> None:
    found = [f"{path.relative_to(ROOT)}: {o}" for path in sorted((ROOT / package).rglob("*.py"))
             if str(path.relative_to(ROOT)) not in EXEMPT for o in offences(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize(("path", "imported"), sorted(CALLERS.items()))
def test_every_channel_calls_the_rule(path: str, imported: str) -> None:
    assert imported in (ROOT / path).read_text(encoding="utf-8")


def test_the_checker_sees_offences() -> None:
    text = 'await Case.get_or_none(case_no=n)\nif who.covers(case.grid_code):\nref = f"{CHANNEL}:{openid}"\n'
    assert len(offences(text)) == 3
    assert offences('log.info(f"{a} {b}")\nawait visibility.visible(n, CH, o)\n') == []
