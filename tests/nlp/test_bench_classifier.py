"""The classifier benchmark's segmentation cache: the same features, each text segmented once."""

from __future__ import annotations

import numpy as np
import pytest

from bench import classifier as bench
from nlp.features import TextFeatures

DOCS = ["楼下路灯坏了。晚上很黑", "井盖丢了，小孩差点掉下去", "垃圾没人收。臭死了", "楼下路灯坏了。晚上很黑"]


def test_memoised_segmentation_gives_the_same_features(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = TextFeatures().fit_transform(DOCS).toarray()
    original = TextFeatures._doc_columns
    monkeypatch.setattr(TextFeatures, "_doc_columns", original)  # put back after the test
    calls: list[str] = []

    def counting(self: TextFeatures, doc: str) -> object:
        calls.append(doc)
        return original(self, doc)

    monkeypatch.setattr(TextFeatures, "_doc_columns", counting)
    bench.memoise_segmentation()
    first = TextFeatures().fit_transform(DOCS).toarray()
    again = TextFeatures().fit_transform(DOCS).toarray()  # a second model, as in the next fold
    assert np.allclose(plain, first) and np.allclose(plain, again)
    assert sorted(calls) == sorted(set(DOCS))  # each distinct text once, over both fits
