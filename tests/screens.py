"""Where browser tests keep the README's pictures: ``GRIDLINE_TEST_SCREENSHOTS=docs/screenshots``.

One variable for every page's test; a relative folder is taken from the checkout, because the test session
changes its working directory to a temporary home before any test runs.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def folder() -> Path | None:
    """The folder asked for, or None: then a test saves its pictures nowhere (or in its tmp_path)."""
    raw = os.environ.get("GRIDLINE_TEST_SCREENSHOTS")
    return ROOT / raw if raw else None
