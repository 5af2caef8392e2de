"""The models page's pictures: the registry keeps a confusion matrix's non-zero cells; the SVG geometry."""

from __future__ import annotations

from pathlib import Path

from bot.console.nlp import charts
from tuning.versions import from_meta

MATRIX = {"labels": ["01037", "06010", "20001"], "matrix": [[5, 1, 0], [0, 3, 0], [2, 0, 0]]}


def test_the_registry_keeps_only_non_zero_cells(tmp_path: Path) -> None:
    version = from_meta(tmp_path, {"backend": "linear"}, 1, 0.95, {}, metrics={"macro_f1": 0.5,
                                                                            "confusion_matrix": MATRIX})
    assert "confusion_matrix" not in version.metrics
    assert version.metrics["confusion_pairs"] == [["01037", "01037", 5], ["01037", "06010", 1],
                                                  ["06010", "06010", 3], ["20001", "01037", 2]]


def test_the_confusion_picture_is_row_normalised_and_capped() -> None:
    pairs = [["01037", "01037", 5], ["01037", "06010", 1], ["06010", "06010", 3], ["20001", "01037", 2]]
    drawn = charts.confusion(pairs)
    assert drawn is not None and drawn["n"] == 3
    by = {(c["truth"], c["predicted"]): c for c in drawn["cells"]}
    assert by["20001", "01037"]["opacity"] == 1.0 and not by["20001", "01037"]["diagonal"]
    assert by["01037", "01037"]["opacity"] > by["01037", "06010"]["opacity"]
    capped = charts.confusion(pairs, limit=2)
    assert capped is not None and {t["code"] for t in capped["ticks"]} == {"01037", "06010"}
    assert charts.confusion(None) is None and charts.confusion([]) is None


def test_the_reliability_points_lie_in_the_plot() -> None:
    bins = [{"n": 0, "confidence": 0.0, "accuracy": 0.0}, {"n": 10, "confidence": 0.55, "accuracy": 0.5},
            {"n": 40, "confidence": 0.95, "accuracy": 1.0}]
    drawn = charts.reliability(bins)
    assert drawn is not None and len(drawn["points"]) == 2  # an empty bin is no point
    low, high = drawn["pad"], drawn["pad"] + drawn["side"]
    assert all(low <= p["x"] <= high and low <= p["y"] <= high for p in drawn["points"])
    assert drawn["points"][1]["y"] == low and drawn["path"].startswith("M")
    assert charts.reliability([]) is None and charts.reliability("x") is None
