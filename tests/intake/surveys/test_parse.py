"""Reading chat messages as answers: digits, words, negation, traditional characters, hostile input."""

from __future__ import annotations

import pytest

from intake.surveys.parse import parse


@pytest.mark.parametrize(("text", "score", "comment"), [
    ("1", 1, None), ("2", 2, None), ("3", 3, None), ("１", 1, None), ("③", 3, None), (" 2 ", 2, None),
    ("3，还是没修好", 3, "还是没修好"), ("3 灯还是暗", 3, "灯还是暗"), ("1.满意", 1, "满意"),
    ("2、还行吧", 2, "还行吧"),
    ("满意", 1, None), ("很满意", 1, None), ("非常满意！", 1, None), ("满意，谢谢你们", 1, "谢谢你们"),
    ("基本满意", 2, None), ("还行", 2, None), ("还可以吧", 2, "吧"), ("一般", 2, None),
    ("不满意", 3, None), ("很不满意", 3, None), ("不太满意", 3, None), ("不行", 3, None), ("还不行", 3, "还不行"),
    ("没解决", 3, None), ("没人来", 3, None), ("差评", 3, None), ("不是很满意", 3, "不是很满意"),
    ("谈不上满意", 3, "谈不上满意"), ("没有不满意", 2, "没有不满意"),
    ("滿意", 1, None), ("不滿意", 3, None), ("沒解決", 3, None), ("還行", 2, None), ("沒人來", 3, None),
    ("Satisfied", 1, None), ("not satisfied", 3, None), ("Dissatisfied!", 3, None), ("ok", 2, None),
    ("👍", 1, None), ("👎", 3, None), ("满意😀😀", 1, "😀😀"),
    ("小区门口路灯不亮了，一直没人来修，很不满意", 3, "小区门口路灯不亮了，一直没人来修，很不满意"),
])
def test_answers(text: str, score: int, comment: str | None) -> None:
    assert parse(text) is not None
    assert (parse(text).score, parse(text).comment) == (score, comment)  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["1 3", "1 2 3", "1/3", "１/３", "1 不满意", "3 很满意", "谢谢，但是还是没修好",
                                  "满意又不满意"])
def test_two_answers_at_once_are_unclear(text: str) -> None:
    parsed = parse(text)
    assert parsed is not None and parsed.score is None


@pytest.mark.parametrize("text", [
    "", "   ", "0", "4", "10", "123", "13800001111", "3栋电梯坏了", "1号楼门口有垃圾", "book", "好",
    "垃圾堆了一个星期没人管", "路灯坏了一周没人来", "小区门口的路灯不亮了，麻烦派人来修一下", "x" * 5000, "满意" * 200,
    "\u202e3\u202c", "\x00\x01", "🙂🙂🙂",
])
def test_not_an_answer(text: str) -> None:
    assert parse(text) is None


def test_a_long_comment_after_a_digit_is_kept_within_bounds() -> None:
    long = parse("3 " + "说明" * 900)
    assert long is not None and long.score == 3 and long.comment is not None and len(long.comment) == 500
    assert parse("3 " + "说明" * 1500) is None  # beyond what a text message carries


def test_control_characters_are_dropped_from_the_comment() -> None:
    parsed = parse("3 灯\u200b还是\u202e暗")
    assert parsed is not None and parsed.comment == "灯还是暗"
