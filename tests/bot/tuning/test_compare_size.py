"""``compare`` and the size of the held-out slice: refused below 5 texts, answered with a warning below 30.

Scoring two models on one text (it happened: n=1, 100 % against 0 %) reads like a verdict and is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from intake.errors import Invalid
from intake.tuning.labels import TrainingSet
from nlp.types import Prediction
from tuning import compare as module
from tuning.compare import REFUSE_N, WARN_N, compare


class Always:
    """A stand-in model that answers one code for everything."""

    def __init__(self, code: str) -> None:
        self.code = code

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(self.code, 0.9) for _ in texts]


def held_out(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    async def training_set(catalog: Any, percent: int) -> TrainingSet:
        return TrainingSet([], [], [f"text {i}" for i in range(n)], ["01037" if i % 2 else "06010" for i in range(n)])

    async def get(version_id: int) -> SimpleNamespace:
        return SimpleNamespace(id=version_id, name=f"v{version_id}", status="candidate", directory=f"/x/{version_id}")

    async def load(directory: str, places: tuple[str, ...]) -> Always:
        return Always("01037" if directory.endswith("1") else "06010")

    monkeypatch.setattr(module.labels, "training_set", training_set)
    monkeypatch.setattr(module.registry, "get", get)
    monkeypatch.setattr(module, "_load", load)


CTX: Any = SimpleNamespace(taxonomy=SimpleNamespace(catalog=None))
CACHE: Any = SimpleNamespace(places=())


@pytest.mark.parametrize("n", [0, 1, REFUSE_N - 1])
async def test_too_few_held_out_texts_are_refused_with_the_numbers(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    held_out(monkeypatch, n)
    with pytest.raises(Invalid) as refused:
        await compare(CTX, CACHE, 1, 2, 20)
    assert f"has {n} labelled" in str(refused.value) and f"at least {REFUSE_N}" in str(refused.value)


async def test_a_small_slice_is_compared_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    held_out(monkeypatch, 10)
    result = await compare(CTX, CACHE, 1, 2, 20)
    assert result["n"] == 10 and result["warn_below"] == WARN_N
    assert result["warning"] is not None and "only 10 held-out texts" in result["warning"]
    assert result["a"]["accuracy"] == 0.5 and result["agreement"] == 0.0  # still the real numbers


async def test_enough_texts_carry_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    held_out(monkeypatch, WARN_N)
    assert (await compare(CTX, CACHE, 1, 2, 20))["warning"] is None
