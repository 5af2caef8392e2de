"""Tests for nlp.keyword.KeywordClassifier and the purity of the nlp package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nlp.keyword import KeywordClassifier
from nlp.types import Classifier, LabelTerms

LABELS = (
    LabelTerms("A01", ("井盖缺失",), ("井盖丢失", "井盖被偷", "井盖没了")),
    LabelTerms("A02", ("井盖破损",), ("井盖坏了", "井盖松动", "井盖破了")),
    LabelTerms("B01", ("生活垃圾",), ("垃圾", "垃圾没人清", "乱扔垃圾")),
    LabelTerms("B02", ("垃圾桶满溢",), ("垃圾桶满了", "垃圾桶冒尖")),
    LabelTerms("C01", ("噪声扰民",), ("噪音", "太吵", "施工噪音", "广场舞")),
    LabelTerms("D01", ("占道经营",), ("摆摊", "占道", "流动摊贩")),
    LabelTerms("E01", ("燃气泄漏",), ("煤气味", "燃气泄露")),
    LabelTerms("F01", ("违章建筑",), ("违建", "私搭乱建")),
    LabelTerms("G01", ("路灯不亮",), ("路灯坏了",)),
)
PLACES = ("幸福小区", "人民路", "垃圾场路")


@pytest.fixture(scope="module")
def clf() -> KeywordClassifier:
    return KeywordClassifier(LABELS, places=PLACES)


def test_implements_protocol(clf: KeywordClassifier) -> None:
    assert isinstance(clf, Classifier)
    assert clf.name == "keyword"
    assert clf.classify("井盖被偷了").model == "keyword"


def test_exact_synonym_hit_wins(clf: KeywordClassifier) -> None:
    p = clf.classify("小区门口井盖被偷了")
    assert p.code == "A01"
    assert p.confidence > 0.8
    assert p.terms == ("井盖被偷",)


def test_full_name_is_strongest(clf: KeywordClassifier) -> None:
    by_name, by_synonym = clf.classify("占道经营"), clf.classify("占道")
    assert by_name.code == by_synonym.code == "D01"
    assert by_name.confidence > by_synonym.confidence


def test_longer_phrase_beats_shorter(clf: KeywordClassifier) -> None:
    # Overlapping: the longer phrase takes the span.
    assert clf.classify("垃圾桶满了").code == "B02"
    # Separate mentions: the longer phrase outweighs the shorter one.
    p = clf.classify("有点噪音，垃圾桶满了")
    assert [s.code for s in p.top[:2]] == ["B02", "C01"]


def test_full_width_and_traditional_classified_the_same(clf: KeywordClassifier) -> None:
    simplified = clf.classify("井盖被偷了!")
    assert clf.classify("井蓋被偷了！！") == simplified
    assert clf.classify("燃氣洩漏") == clf.classify("燃气泄漏")


def test_emoji_ignored(clf: KeywordClassifier) -> None:
    assert clf.classify("😡😡井盖被偷了🙏") == clf.classify("井盖被偷了")


def test_partial_word_overlap_hits_related_labels(clf: KeywordClassifier) -> None:
    p = clf.classify("井盖丢了")
    assert {s.code for s in p.top} == {"A01", "A02"}
    assert p.terms == ("井盖",)
    assert p.confidence < 0.5  # a tie between the two 井盖 labels


def test_weak_partial_hit_is_low_confidence(clf: KeywordClassifier) -> None:
    p = clf.classify("晚上有点扰民")
    assert p.code == "C01"
    assert 0.0 < p.confidence < 0.5


def test_ambiguous_text_is_low_confidence(clf: KeywordClassifier) -> None:
    p = clf.classify("太吵了还有人摆摊")
    assert {s.code for s in p.top[:2]} == {"C01", "D01"}
    assert p.confidence < 0.5


@pytest.mark.parametrize("text", ["", "   ", "今天天气不错", "😀"])
def test_nothing_matched(clf: KeywordClassifier, text: str) -> None:
    p = clf.classify(text)
    assert (p.code, p.confidence, p.top, p.terms) == (None, 0.0, (), ())


def test_top_five_ordered_and_sub_probability(clf: KeywordClassifier) -> None:
    p = clf.classify("井盖没了,井盖坏了,垃圾没人清,噪音,有人摆摊,煤气味,违建,路灯坏了")
    scores = [s.score for s in p.top]
    assert len(p.top) == 5
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) <= 1.0
    assert all(0.0 < s <= 1.0 for s in scores)
    assert p.code == p.top[0].code
    assert p.confidence <= p.top[0].score


def test_terms_are_reported(clf: KeywordClassifier) -> None:
    p = clf.classify("乱扔垃圾，垃圾没人清")
    assert p.code == "B01"
    assert p.terms == ("乱扔垃圾", "垃圾没人清")


def test_severity_hint_attached(clf: KeywordClassifier) -> None:
    assert clf.classify("楼道里有煤气味").severity_hint == "red"
    assert clf.classify("井盖松动了").severity_hint == "yellow"
    assert clf.classify("有人摆摊").severity_hint is None
    assert clf.classify("楼下着火了").severity_hint == "red"  # even without a label


def test_places_reported_and_not_used_as_evidence(clf: KeywordClassifier) -> None:
    p = clf.classify("幸福小区门口井盖被偷了")
    assert p.places == ("幸福小区",)
    p = clf.classify("垃圾场路有人摆摊，人民路也有")
    assert p.places == ("垃圾场路", "人民路")
    assert p.code == "D01"
    assert "B01" not in {s.code for s in p.top}


def test_traditional_place_returns_gazetteer_spelling(clf: KeywordClassifier) -> None:
    assert clf.classify("幸福小區井蓋被偷").places == ("幸福小区",)


def test_classify_many_equals_map(clf: KeywordClassifier) -> None:
    texts = ["井盖被偷了", "今天天气不错", "太吵了", "幸福小区有人摆摊", ""]
    assert clf.classify_many(texts) == [clf.classify(t) for t in texts]


def test_rules_override() -> None:
    clf = KeywordClassifier(LABELS)
    assert clf.classify("广场舞太吵").code == "C01"
    clf.add_rule("广场舞", "D01", priority=5)
    p = clf.classify("广场舞太吵")
    assert p.code == "D01"
    assert p.confidence >= 0.85
    assert p.terms[0] == "广场舞"
    assert clf.classify("太吵了").code == "C01"  # no rule phrase, no override


def test_rule_priority_and_nested_phrases() -> None:
    clf = KeywordClassifier(LABELS)
    clf.add_rule("井盖", "R1", priority=1)
    clf.add_rule("井盖被偷", "R2", priority=3)
    assert clf.classify("井盖被偷了").code == "R2"
    assert clf.classify("井盖坏了").code == "R1"
    clf.add_rule("井盖", "R3", priority=9)  # shorter phrase, higher priority
    assert clf.classify("井盖被偷了").code == "R3"


def test_rule_without_priority_is_a_synonym() -> None:
    clf = KeywordClassifier(LABELS)
    clf.add_rule("遛狗不拴绳", "H01", priority=0)
    p = clf.classify("有人遛狗不拴绳")
    assert p.code == "H01"
    assert p.confidence < 0.99
    with pytest.raises(ValueError):
        clf.add_rule(" 😀 ", "H01")


def test_nlp_imports_nothing_from_other_gridline_packages() -> None:
    forbidden = {"bot", "intake", "notify"}
    root = Path(__file__).resolve().parents[2] / "nlp"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path}: relative import leaves nlp"
                names = [node.module or ""]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & forbidden, f"{path} imports {names}"
