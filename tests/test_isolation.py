"""Tests see none of the state of the checkout or shell they run from (tests/conftest.py ``outside_the_checkout``)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_tests_run_in_an_empty_folder_outside_the_checkout(outside_the_checkout: Path) -> None:
    here = Path.cwd()
    assert here == outside_the_checkout and ROOT not in (here, *here.parents)
    # The relative defaults (./var/models, ./var/media, the SQLite file) land there, not in ROOT/var.
    settings = load_settings()
    assert not settings.model_dir.resolve().is_relative_to(ROOT)
    assert not settings.media_dir.resolve().is_relative_to(ROOT)


def test_no_gridline_setting_comes_from_the_shell() -> None:
    leaked = [k for k in os.environ if k.startswith("GRIDLINE_") and not k.startswith("GRIDLINE_TEST_")]
    assert leaked == []
