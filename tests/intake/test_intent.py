"""The intent rule and the script detector, as a table (pure functions, no database)."""

from __future__ import annotations

import pytest

from intake.intent import Intent, classify
from intake.script import language_of, reply_language


@pytest.mark.parametrize(("text", "expected"), [
    ("你好", Intent.GREETING), ("您好！", Intent.GREETING), ("在吗？", Intent.GREETING), ("在嗎", Intent.GREETING),
    ("Hi", Intent.GREETING), ("hello!!", Intent.GREETING),
    ("谢谢", Intent.THANKS), ("謝謝！", Intent.THANKS), ("Thank you.", Intent.THANKS),
    ("有问题", Intent.QUESTION), ("有問題", Intent.QUESTION), ("台风", Intent.QUESTION), ("颱風", Intent.QUESTION),
    ("订阅", Intent.QUESTION), ("problem", Intent.QUESTION),
    ("💡💔🌃😡", Intent.NOISE), ("？？", Intent.NOISE), ("好", Intent.NOISE), ("ok", Intent.NOISE),
    ("123", Intent.NOISE), ("嗯嗯", Intent.NOISE), ("", Intent.NOISE),
    ("路灯坏了，晚上很黑", Intent.COMPLAINT), ("路燈壞了", Intent.COMPLAINT),
    ("你好，小区门口垃圾堆了好几天", Intent.COMPLAINT), ("The streetlight is broken", Intent.COMPLAINT),
    ("谢谢网格员及时处理了井盖", Intent.COMPLAINT),  # praise with content is a report (表扬感谢)
])
def test_intent_table(text: str, expected: Intent) -> None:
    assert classify(text) is expected


def test_low_confidence_decides_only_short_texts() -> None:
    assert classify("啊啊啊啊", confidence=0.0) is Intent.NOISE
    assert classify("啊啊啊啊", confidence=0.6) is Intent.COMPLAINT
    assert classify("楼下一直有奇怪的声音吵到半夜", confidence=0.0) is Intent.COMPLAINT


@pytest.mark.parametrize(("text", "lang"), [
    ("查詢", "zh_HK"), ("我的訴求", "zh_HK"), ("路燈壞了", "zh_HK"), ("查询", "zh_CN"), ("路灯坏了", "zh_CN"),
    ("The streetlight is broken", "en"), ("help", "en"), ("1", None), ("你好", None), ("💡💔", None), ("", None),
])
def test_language_of(text: str, lang: str | None) -> None:
    assert language_of(text) == lang


def test_a_chosen_language_wins_over_the_script() -> None:
    assert reply_language("en", "zh_CN", "zh_HK", None) == "en"
    assert reply_language("zh_CN", "zh_CN", "zh_HK", None) == "zh_HK"
    assert reply_language("zh_CN", "zh_CN", None, "en") == "en"
    assert reply_language("zh_CN", "zh_CN", None, None) == "zh_CN"
