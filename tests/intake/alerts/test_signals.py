"""The shipped signal catalogue: generated from ../shared, byte-identical on rebuild, validated lookups."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from intake.alerts.signals import DATA, catalogue, colour_of
from intake.errors import Invalid
from tests.conftest import shared_data

REPO = Path(__file__).parents[3]


def test_fourteen_signals_with_their_colours() -> None:
    cat = catalogue()
    assert sorted(cat.signals) == [f"{n:02d}" for n in range(1, 15)]
    assert list(cat.find("台风").criteria) == ["blue", "yellow", "orange", "red"]
    assert list(cat.find("08").criteria) == ["orange", "red"]  # 干旱
    assert cat.find("1").name_zh == "台风" and cat.find("道路结冰").code == "14"


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    source = shared_data("standards/weather_warning_signals.yaml")
    out = tmp_path / "signals.yaml"
    subprocess.run([sys.executable, str(REPO / "tools" / "build_signals.py"), str(source), "--out", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == DATA.read_bytes(), "source changed: run tools/build_signals.py"


def test_unknown_signal_colour_and_combination_are_refused() -> None:
    cat = catalogue()
    with pytest.raises(Invalid, match="unknown signal"):
        cat.find("龙卷风")
    with pytest.raises(Invalid, match="unknown colour"):
        colour_of("purple")
    with pytest.raises(Invalid, match="has no blue level"):
        cat.check(cat.find("高温"), "blue")


@pytest.mark.parametrize(("raw", "colour"), [("红色", "red"), ("Red", "red"), ("04", "red"), ("蓝", "blue"),
                                             ("Orange", "orange"), ("yellow", "yellow")])
def test_colour_spellings(raw: str, colour: str) -> None:
    assert colour_of(raw) == colour
