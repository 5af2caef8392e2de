"""Metrics for triage: overall scores, selective accuracy, per-class thresholds, the HTML/PNG report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.metrics import (
    POOLED,
    accuracy_at_coverage,
    coverage_at_precision,
    evaluate,
    expected_calibration_error,
    reliability,
    report,
    thresholds_for_precision,
    wilson_low,
)


def test_evaluate_overall_per_class_and_confusion() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    pred = ["a", "a", "b", "b", "b", None]
    m = evaluate(truth, pred, [0.9, 0.8, 0.4, 0.7, 0.6, 0.0])
    assert m["n"] == 6 and m["accuracy"] == pytest.approx(4 / 6)
    assert m["per_class"]["a"] == {"precision": 1.0, "recall": pytest.approx(2 / 3), "f1": pytest.approx(0.8),
                                   "support": 3}
    assert m["per_class"]["c"]["f1"] == 0.0  # an abstention is an error, not a class
    assert m["macro_f1"] == pytest.approx((0.8 + 0.8 + 0.0) / 3)
    assert m["confusion_matrix"] == {"labels": ["a", "b", "c"], "matrix": [[2, 1, 0], [0, 2, 0], [0, 0, 0]]}
    assert m["accuracy_at_80_coverage"] == pytest.approx(4 / 5)  # the five most confident: one wrong
    assert json.loads(json.dumps(m)) == m  # plain JSON types only


def test_accuracy_at_coverage_takes_the_most_confident_first() -> None:
    correct = np.array([True] * 8 + [False] * 2)
    conf = np.array([0.9] * 8 + [0.1, 0.2])
    assert accuracy_at_coverage(correct, conf, 0.8) == 1.0
    assert accuracy_at_coverage(correct, conf, 1.0) == 0.8
    assert accuracy_at_coverage(np.array([], dtype=bool), np.array([]), 0.8) == 0.0


def test_coverage_at_precision_never_splits_a_tie() -> None:
    correct = np.array([True, True, True, False, True, False])
    conf = np.array([0.9, 0.8, 0.7, 0.7, 0.5, 0.4])
    assert coverage_at_precision(correct, conf, 0.95) == pytest.approx(2 / 6)  # 0.7 is a tie of 1 right, 1 wrong
    assert coverage_at_precision(correct, conf, 0.7) == pytest.approx(5 / 6)
    assert coverage_at_precision(np.array([False]), np.array([0.9]), 0.95) == 0.0


def test_thresholds_hold_the_target_precision_per_label() -> None:
    truth = ["a"] * 10 + ["b"] * 10
    pred = ["a"] * 10 + ["a"] * 2 + ["b"] * 8
    conf = [0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.5, 0.4] + [0.6, 0.3] + [0.9] * 8
    found = thresholds_for_precision(truth, pred, conf, target=0.95, z=0)
    assert found["a"] == 0.92  # below it the wrong "a" at 0.6 drops precision to 8/9
    assert found["b"] == 0.9
    assert found[POOLED] == 0.9  # all 20 together: below 0.9 the wrong "a" at 0.6 costs the target
    assert POOLED not in thresholds_for_precision(truth, pred, conf, pooled=False, z=0)


def test_default_thresholds_want_more_evidence_than_a_lucky_slice() -> None:
    # 8 of 8 right is 100 %, but its Wilson lower bound (z = 1) is 0.89: not enough to vouch for 95 %.
    truth, pred, conf = ["a"] * 8, ["a"] * 8, [0.9] * 8
    assert thresholds_for_precision(truth, pred, conf, z=0) == {"a": 0.9, POOLED: 0.9}
    assert thresholds_for_precision(truth, pred, conf) == {}
    many = 60  # 60 of 60 right: lower bound 0.984
    assert thresholds_for_precision(["a"] * many, ["a"] * many, [0.9] * many) == {"a": 0.9, POOLED: 0.9}
    assert wilson_low(8, 8, 1.0) == pytest.approx(8 / 9) and wilson_low(3, 4, 0.0) == 0.75


def test_thresholds_leave_out_labels_with_too_little_evidence() -> None:
    truth, pred = ["a", "a", "b", "b", "b", "b", "b", "b"], ["a", "a", "b", "b", "b", "b", "b", "a"]
    conf = [0.9, 0.8, 0.9, 0.9, 0.8, 0.7, 0.6, 0.95]
    found = thresholds_for_precision(truth, pred, conf, z=0)
    assert "a" not in found  # three predictions, the surest one wrong
    assert found == {"b": 0.6}


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="lengths differ"):
        evaluate(["a"], ["a", "b"], [0.5])


def test_report_writes_picture_page_and_json(tmp_path: Path) -> None:
    truth, pred = ["01001", "01002", "01002"], ["01001", "01001", "01002"]
    paths = report(tmp_path / "r", truth, pred, [0.9, 0.8, 0.7], texts=["井盖", "<script>alert(1)</script>", "x"],
                   terms=[("井盖",), ("井",), ()], names={"01001": "供水井盖异常"})
    assert paths["confusion"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = paths["misclassified"].read_text(encoding="utf-8")
    assert "Misclassified: 1 of 3" in page and "&lt;script&gt;" in page and "<script>" not in page
    assert "供水井盖异常" in page
    assert json.loads(paths["metrics"].read_text(encoding="utf-8"))["n"] == 3


def test_calibration_error_and_top3() -> None:
    correct = np.array([True, True, False, True, False])
    conf = np.array([0.95, 0.95, 0.95, 0.35, 0.35])
    bins = reliability(correct, conf)
    assert [b["n"] for b in bins] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 3]
    assert bins[9]["accuracy"] == pytest.approx(2 / 3) and bins[3]["confidence"] == pytest.approx(0.35)
    # (3·|2/3 − 0.95| + 2·|1/2 − 0.35|) / 5
    assert expected_calibration_error(correct, conf) == pytest.approx((3 * (0.95 - 2 / 3) + 2 * 0.15) / 5)
    assert expected_calibration_error(np.array([True]), np.array([1.0])) == 0.0
    assert reliability(np.array([False]), np.array([0.0]))[0]["n"] == 1  # zero confidence lands in the first bin
    m = evaluate(["a", "b", "c"], ["a", "a", "a"], [0.9, 0.8, 0.7], top=[["a", "b"], ["a", "b"], ["a", "b", "d", "c"]])
    assert m["top3_accuracy"] == pytest.approx(2 / 3)  # "c" is fourth: not among the top three
    assert "top3_accuracy" not in evaluate(["a"], ["a"], [0.9])
