"""Active learning's order: which held case a person's label teaches the model most (no database needed)."""

from __future__ import annotations

import pytest

from intake.tuning.triage import learning_order, learning_value


def test_learning_value_is_one_minus_the_margin() -> None:
    assert learning_value([["a", 0.41], ["b", 0.39]]) == pytest.approx(0.98)
    assert learning_value([["a", 0.9], ["b", 0.05]]) == pytest.approx(0.15)
    assert learning_value([["b", 0.05], ["a", 0.9]]) == pytest.approx(0.15)  # order of the list does not matter
    assert learning_value([["a", 0.6]]) == pytest.approx(0.4)
    assert learning_value([]) == 1.0  # the model had nothing to say


def test_uncertain_first_but_one_category_does_not_crowd_out_the_rest() -> None:
    tops = [
        [["noise", 0.50], ["fight", 0.48]],  # 0: most uncertain
        [["noise", 0.52], ["fight", 0.46]],  # 1: nearly as uncertain, same predicted category
        [["noise", 0.53], ["fight", 0.45]],  # 2
        [["cover", 0.60], ["light", 0.30]],  # 3: less uncertain, another category
        [["light", 0.95], ["cover", 0.01]],  # 4: sure
    ]
    order = learning_order(tops)
    assert sorted(order) == list(range(5))
    assert order[:2] == [0, 3]  # the second noise doubt (0.94 / 2) yields to the only cover doubt (0.70)
    assert order.index(4) == 4
    assert learning_order([]) == []


def test_ties_keep_the_oldest_first() -> None:
    same = [["a", 0.5], ["b", 0.3]]
    assert learning_order([same, [["b", 0.5], ["a", 0.3]], []]) == [2, 0, 1]
