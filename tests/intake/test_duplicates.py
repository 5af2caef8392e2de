"""Text similarity for duplicate candidates (the database side is in the lifecycle tests)."""

from __future__ import annotations

from intake.duplicates import bigrams, similarity


def test_similar_complaints_score_high() -> None:
    assert similarity("小区门口路灯坏了，晚上很黑", "小区门口的路灯坏了好几天") >= 0.3


def test_unrelated_complaints_score_low() -> None:
    assert similarity("小区门口路灯坏了", "楼上装修噪音太大") < 0.1


def test_punctuation_and_case_do_not_matter() -> None:
    assert bigrams("路灯，坏了！") == bigrams("路灯坏了")
    assert similarity("ABC", "abc") == 1.0


def test_empty_text() -> None:
    assert similarity("", "路灯") == 0.0
