"""Severity hints: does a complaint describe danger that cannot wait for triage?

``severity_hint`` returns ``"red"`` for immediate danger to life or property,
``"yellow"`` for urgent trouble that is not life-threatening, and ``None``
otherwise. It is a hint for dispatch ordering, not a verdict: a human still
confirms. Terms are matched on :func:`nlp.normalize.normalize` output, so
traditional and full-width input is covered.

Negation is deliberately simple: a negation word within the two characters
before a term ("没有着火", "不是打架") cancels that occurrence. Anything
smarter belongs to a trained model, and a missed negation only over-warns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.normalize import normalize

# fmt: off
RED_TERMS: tuple[str, ...] = (
    # fire and smoke; 著火 because 著 is not converted (it is ambiguous)
    "着火", "著火", "起火", "失火", "火灾", "冒烟", "浓烟", "烧起来", "火苗",
    # gas
    "燃气泄漏", "燃气泄露", "煤气泄漏", "煤气泄露", "天然气泄漏", "燃气漏气", "煤气漏气",
    "煤气味", "燃气味", "煤气中毒", "一氧化碳",
    # collapse
    "倒塌", "塌陷", "坍塌", "塌方", "垮塌", "危房",
    # electricity
    "触电", "电线掉落", "电线掉", "电线断", "漏电", "高压线断",
    # water
    "溺水", "落水", "掉进河", "掉进水", "水淹", "内涝", "被困", "困在电梯", "电梯困人", "关在电梯",
    # violence
    "打架", "斗殴", "群殴", "打人", "持刀", "砍人", "捅人", "行凶", "拿刀",
    # terrain, explosion, people in danger
    "山体滑坡", "滑坡", "泥石流", "爆炸", "跳楼", "轻生", "坠楼", "高空坠物", "昏迷", "晕倒",
)

YELLOW_TERMS: tuple[str, ...] = (
    "停水", "停电", "断水", "断电", "没水", "没电", "爆管", "水管爆裂", "水管破裂",
    "污水外溢", "污水横流", "粪水外溢", "化粪池满", "下水道堵", "管道堵塞",
    "井盖松动", "井盖丢失", "井盖缺失", "井盖破损", "井盖没了", "井盖丢了",
    "电梯故障", "电梯停运", "电梯坏了", "没有暖气", "暖气不热", "停气",
    "树木倒伏", "大树倾斜", "广告牌松动", "红绿灯坏", "信号灯坏", "路面塌",
)
# fmt: on

NEGATIONS: tuple[str, ...] = ("没", "不", "无", "未", "非", "别", "勿")
# Two-character windows that start with a negation character but intensify
# rather than negate ("不断冒烟", "止不住漏气" must stay red).
_NOT_NEGATING = frozenset({"不断", "不停", "不住", "不少", "无数", "不了"})
# Everyday phrases that contain a red term but are not emergencies; blanked out
# before matching ("落水管" is a downpipe, "烧烤冒烟" a nuisance complaint).
FALSE_FRIENDS: tuple[str, ...] = ("落水管", "危房改造", "烟囱冒烟", "烧烤冒烟", "油烟冒烟")
_WINDOW = 2


def _compile(terms: Iterable[str]) -> re.Pattern[str]:
    # Longest first so "燃气泄漏" is reported rather than a shorter overlap.
    ordered = sorted({normalize(t) for t in terms}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)))


_RED = _compile(RED_TERMS)
_FALSE = _compile(FALSE_FRIENDS)
_YELLOW = _compile(YELLOW_TERMS)


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - _WINDOW) : start]
    if window in _NOT_NEGATING:
        return False
    return any(neg in window for neg in NEGATIONS)


def _fires(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _negated(text, m.start()) for m in pattern.finditer(text))


def severity_hint(text: str) -> str | None:
    """Return ``"red"``, ``"yellow"`` or ``None`` for one complaint text."""
    return severity_of_normalized(normalize(text))


def severity_of_normalized(text: str) -> str | None:
    """Like :func:`severity_hint` for text already passed through ``normalize``."""
    text = _FALSE.sub(" ", text)
    if _fires(_RED, text):
        return "red"
    if _fires(_YELLOW, text):
        return "yellow"
    return None
