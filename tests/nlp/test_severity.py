"""Tests for nlp.severity: red/yellow/None hints and simple negation."""

from __future__ import annotations

import pytest

from nlp.severity import severity_hint, severity_of_normalized


@pytest.mark.parametrize(
    "text",
    [
        "楼下着火了",
        "三楼起火",
        "厨房冒烟",
        "燃气泄漏了",
        "楼道里有煤气味",
        "房子倒塌",
        "路面塌陷",
        "有人触电",
        "电线掉落在路上",
        "配电箱漏电",
        "小孩溺水",
        "有人落水",
        "有人打架",
        "聚众斗殴",
        "有人持刀",
        "有人砍人",
        "山体滑坡",
        "泥石流",
        "地下车库水淹",
        "内涝严重",
        "有人被困",
        "老人困在电梯里",
        "发生爆炸",
    ],
)
def test_red(text: str) -> None:
    assert severity_hint(text) == "red"


@pytest.mark.parametrize("text", ["小区停水两天了", "整栋楼停电", "污水外溢", "井盖松动", "电梯故障"])
def test_yellow(text: str) -> None:
    assert severity_hint(text) == "yellow"


@pytest.mark.parametrize("text", ["", "噪音扰民", "有人占道经营", "垃圾没人清", "路灯不亮"])
def test_none(text: str) -> None:
    assert severity_hint(text) is None


def test_red_beats_yellow() -> None:
    assert severity_hint("停电了，配电房冒烟") == "red"


@pytest.mark.parametrize("text", ["没有着火", "不是打架", "无人被困", "并未起火", "没停水"])
def test_negation_cancels(text: str) -> None:
    assert severity_hint(text) is None


def test_negation_only_cancels_its_own_occurrence() -> None:
    assert severity_hint("刚才不是打架，现在又打架了") == "red"


@pytest.mark.parametrize("text", ["不断冒烟", "止不住冒烟", "不停漏电"])
def test_intensifiers_are_not_negations(text: str) -> None:
    assert severity_hint(text) == "red"


def test_negation_further_away_is_ignored() -> None:
    # Deliberately simple: only the two characters before the term count.
    assert severity_hint("没想到楼下着火") == "red"


def test_traditional_and_full_width_input() -> None:
    assert severity_hint("燃氣洩漏！！") == "red"
    assert severity_hint("著火了") == "red"


def test_false_friends_do_not_fire() -> None:
    assert severity_hint("落水管坏了") is None
    assert severity_hint("烧烤冒烟很呛") is None


def test_normalized_variant_matches() -> None:
    assert severity_of_normalized("楼下着火了") == "red"
