"""The README's newcomer sections stay true to the code: the commands a resident can type are
``bot/wechat/words.py``'s, the settings named are real ones, the menu is the one ``gridline wechat menu``
creates, and the pages and routes it sends people to are served."""

from __future__ import annotations

import re
from pathlib import Path

from bot.roles import MATRIX
from bot.settings import Settings
from bot.wechat.menu import MENU
from bot.wechat.words import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    nxt = README.find("\n### ", start + len(title))
    stops = [i for i in (end, nxt) if i != -1]
    return README[start:min(stops) if stops else len(README)]


def test_every_command_word_is_in_the_residents_table() -> None:
    table = section("### What a resident can type")
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    assert set(rows) - {"Command"} == set(COMMANDS)
    for name, words in COMMANDS.items():
        shown = set(re.findall(r"`([^`]+)`", rows[name].split("|")[2]))
        assert shown == set(words), name


def test_settings_named_for_a_real_account_exist() -> None:
    text = section("## Connecting a real 公众号 and WeCom") + section("### Open `/sandbox` and try this")
    named = set(re.findall(r"GRIDLINE_[A-Z0-9_]+", text))
    fields = {f"GRIDLINE_{f.upper()}" for f in Settings.model_fields}
    assert named and named <= fields, named - fields


def test_the_menu_and_routes_it_names_are_real() -> None:
    text = section("## Connecting a real 公众号 and WeCom")
    for button in MENU["button"]:
        assert button["name"] in text
        for sub in button.get("sub_button", []):
            assert sub["name"] in text
    for method, path in (("PUT", "/admin/v1/grid-groups/{grid_code}"), ("GET", "/admin/v1/outbox"),
                         ("PATCH", "/admin/v1/departments/{code}"), ("PATCH", "/admin/v1/users/{id}"),
                         ("GET", "/admin/v1/cases/{case_no}/messages")):
        assert path in text
        assert (method, path.replace("{id}", "{user_id}")) in MATRIX
