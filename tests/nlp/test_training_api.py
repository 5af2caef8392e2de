"""The one-call retrain API the tuning loop uses: split, train, validate, thresholds; load any model dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.training import BACKENDS, load_model, model_info, train_and_validate
from nlp.types import Classifier

WORDS = {
    "light": ["路灯", "灯杆", "照明", "灯泡", "夜里黑"],
    "cover": ["井盖", "窨井", "下水道口", "雨水箅子", "盖板"],
    "noise": ["噪音", "吵闹", "广场舞", "喇叭", "装修声"],
}
TAILS = ["坏了", "好几天了", "没人管", "请尽快处理", "太危险", "又出问题", "影响出行", "小孩害怕"]


def corpus() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, words in WORDS.items():
        for i, word in enumerate(words * 8):
            texts.append(f"{word}{TAILS[i % len(TAILS)]}{'，' * (i % 2)}{i}号楼")
            labels.append(label)
    return texts, labels


def test_train_and_validate_holds_out_a_stratified_slice() -> None:
    texts, labels = corpus()
    steps: list[tuple[int, int, str]] = []
    result = train_and_validate(texts, labels, validation=0.25, progress=lambda d, t, w: steps.append((d, t, w)))
    assert not set(result.train_index) & set(result.validation_index)
    assert sorted(result.train_index + result.validation_index) == list(range(len(texts)))
    assert {labels[i] for i in result.validation_index} == set(WORDS)  # every label is represented
    assert len(result.validation_predictions) == len(result.validation_index) == 30
    assert result.metrics["n"] == 30 and result.metrics["macro_f1"] > 0.9
    assert set(result.thresholds) <= {*WORDS, "*"} and all(0 < t <= 1 for t in result.thresholds.values())
    assert steps and steps[-1][0] == steps[-1][1]  # the progress callback reached the end
    # The model never saw a validation text's label: none of them is in its training data hash input.
    assert result.model.labels == tuple(sorted(WORDS))


def test_too_little_data_for_a_slice_falls_back_to_cross_validation() -> None:
    texts, labels = corpus()
    small = list(range(0, len(texts), 8))  # 15 examples
    result = train_and_validate([texts[i] for i in small], [labels[i] for i in small], validation=0.2)
    assert result.validation_index == [] and result.validation_predictions == []
    assert result.metrics == result.model.metrics and result.metrics["n"] == 15


def test_singleton_labels_always_train() -> None:
    texts, labels = corpus()
    result = train_and_validate([*texts, "垃圾桶满了"], [*labels, "garbage"], validation=0.25)
    assert len(texts) in result.train_index and "garbage" in result.model.labels


def test_load_model_dispatches_on_meta_and_reports_info(tmp_path: Path) -> None:
    texts, labels = corpus()
    model = train_and_validate(texts, labels, validation=0.0, options={"version": "v7"}).model
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m", places=["幸福小区"])
    assert isinstance(loaded, Classifier) and loaded.name == "linear:v7"
    prediction = loaded.classify("幸福小区的路灯坏了")
    assert prediction.code == "light" and prediction.places == ("幸福小区",)
    info = model_info(tmp_path / "m")
    assert info["backend"] == "linear" and info["labels"] == sorted(WORDS) and "thresholds" in info
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    meta["backend"] = "word2vec"
    (tmp_path / "m" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown backend"):
        load_model(tmp_path / "m")
    with pytest.raises(ValueError, match="not a model directory"):
        load_model(tmp_path)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        train_and_validate(["a", "b"], ["x"])
    assert BACKENDS == ("linear", "transformer")
