"""Tests for nlp.normalize: width, case, traditional script, emoji, spacing."""

from __future__ import annotations

import pytest

from nlp.normalize import _T2S_PAIRS, normalize


def test_full_width_becomes_half_width() -> None:
    assert normalize("ＡＢＣ１２３，（ｏｋ）") == "abc123,(ok)"


def test_full_width_space_collapses() -> None:
    assert normalize("3号楼　2单元") == "3号楼 2单元"


def test_latin_lower_cased() -> None:
    assert normalize("WiFi 信号差") == "wifi 信号差"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("燃氣洩漏", "燃气泄漏"),
        ("井蓋丟了", "井盖丢了"),
        ("小區門口垃圾很髒", "小区门口垃圾很脏"),
        ("電梯壞了", "电梯坏了"),
    ],
)
def test_traditional_to_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified


def test_t2s_table_is_consistent() -> None:
    pairs = _T2S_PAIRS.split()
    assert len({p[0] for p in pairs}) >= 300
    assert all(len(p) == 2 and p[0] != p[1] for p in pairs)
    # No simplified character is itself converted again (one pass is enough).
    assert not {p[0] for p in pairs} & {p[1] for p in pairs}
    assert all(normalize(p[0]) == p[1] for p in pairs)


def test_ambiguous_characters_left_alone() -> None:
    assert normalize("显著") == "显著"
    assert normalize("乾坤") == "乾坤"


def test_emoji_and_controls_stripped() -> None:
    assert normalize("😡井盖\u200b没了🙏👨‍👩‍👧\x07!") == "井盖没了!"


def test_whitespace_collapsed_and_cjk_gaps_closed() -> None:
    assert normalize("  井 盖\t\n丢了   about  it ") == "井盖丢了 about it"


def test_repeated_punctuation_collapsed() -> None:
    assert normalize("快来人啊！！！？？？。。。") == "快来人啊!?。"


def test_numbers_kept() -> None:
    assert normalize("12栋3单元402，电话１３８００１３８０００") == "12栋3单元402,电话13800138000"


@pytest.mark.parametrize("text", ["", "   ", "😀"])
def test_empty_results(text: str) -> None:
    assert normalize(text) == ""


def test_idempotent() -> None:
    once = normalize("ＡＢＣ 燃氣洩漏！！😀  了")
    assert normalize(once) == once
