"""``intake.store`` skips Tortoise's reading of ``#:`` field comments from the models' source (a start-up
cost): a model that relied on one would silently lose its description, so none may carry one."""

from __future__ import annotations

from pathlib import Path

import tortoise.models

import intake.store

STORE = Path(intake.store.__file__).parent


def test_no_model_carries_a_field_comment_and_the_reading_is_skipped() -> None:
    carrying = [p.name for p in STORE.glob("models*.py") if "#:" in p.read_text(encoding="utf-8")]
    assert carrying == []
    assert tortoise.models._get_comments(tortoise.models.Model) == {}
