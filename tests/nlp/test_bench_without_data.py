"""The quality benchmarks read ../shared/data/teddy2020c in place: without it they say so and exit 0."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["bench/classifier.py", "bench/classifier_ideas.py", "bench/active_learning.py"])
def test_benchmark_skips_cleanly_without_the_shared_data(script: str, tmp_path: Path) -> None:
    # The benchmarks copied into a directory with no ../shared beside it (copied, not linked: the scripts
    # resolve their own path); the packages they import are linked.
    shutil.copytree(ROOT / "bench", tmp_path / "repo" / "bench")
    for package in ("nlp", "intake", "notify"):
        (tmp_path / "repo" / package).symlink_to(ROOT / package)
    done = subprocess.run([sys.executable, str(tmp_path / "repo" / script)], cwd=tmp_path / "repo",
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(tmp_path / "repo")})
    assert done.returncode == 0, done.stderr
    assert "is absent" in done.stderr and "Traceback" not in done.stderr
