"""Every user-facing msgid in the code has its translations, and the catalogs compile."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from intake.i18n import LOCALE_DIR, SUPPORTED, gettext_for, pick

ROOT = Path(__file__).resolve().parents[2]


def msgids() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "outbox").rglob("*.py")]:
        found |= {m[1] for m in extract_from_file("python", str(path)) if isinstance(m[1], str)}
    return found


@pytest.mark.parametrize("lang", ["zh_CN", "zh_HK"])
def test_every_msgid_is_translated(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "gridline.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = sorted(m for m in msgids() if not (catalog.get(m) and catalog.get(m).string))  # type: ignore[union-attr]
    assert missing == []


def test_placeholders_survive_translation() -> None:
    for lang in SUPPORTED:
        _ = gettext_for(lang).gettext
        assert "{case_no}" in _(" Expect an answer {deadline}. Send 进度 {case_no} to check progress.")
        assert "{code}" in _("Evidence code: {code}")


def test_required_chinese_wording() -> None:
    _ = gettext_for("zh_CN").gettext
    summary = _("Please confirm your report:\nCategory: {category}\nPlace: {place}\nGrid: {grid}\n"
                "Reply 1 to submit, 2 to change the category, 3 to add details.")
    assert summary.endswith("回复“1”确认提交，回复“2”修改类别，回复“3”补充说明")


@pytest.mark.parametrize(("header", "lang"), [("zh-CN,zh;q=0.9", "zh_CN"), ("zh-HK", "zh_HK"), ("zh-TW", "zh_HK"),
                                              ("en-US,en;q=0.8", "en"), ("fr", "zh_CN"), (None, "zh_CN")])
def test_language_pick(header: str | None, lang: str) -> None:
    assert pick(header) == lang
