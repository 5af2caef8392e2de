"""The national warning-signal catalogue (14 signals, blue → red) shipped in ``data/signals.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from intake.errors import Invalid

DATA = Path(__file__).resolve().parent / "data" / "signals.yaml"
COLOURS = ("blue", "yellow", "orange", "red")
COLOUR_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
# Accepted spellings of a colour: English, Chinese, the national level code, CN-profile severity values.
_COLOUR_ALIASES = {**{c: c for c in COLOURS}, **{v: k for k, v in COLOUR_ZH.items()},
                   **{v[0]: k for k, v in COLOUR_ZH.items()}, "01": "blue", "02": "yellow", "03": "orange", "04": "red"}


@dataclass(frozen=True, slots=True)
class Signal:
    code: str  # "01" 台风 … "14" 道路结冰
    name_zh: str
    criteria: dict[str, str]  # colour → criteria text; only the colours this signal has

    def title(self, colour: str) -> str:
        return f"{self.name_zh}{COLOUR_ZH[colour]}预警"


@dataclass(frozen=True, slots=True)
class Catalogue:
    signals: dict[str, Signal]

    @classmethod
    def load(cls, path: Path = DATA) -> Catalogue:
        # The C parser where PyYAML has it: the pure-Python one spent ~0.1 s of every start on this file.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        signals = {s["code"]: Signal(s["code"], s["name_zh"], {lv["colour"]: lv["criteria_zh"] for lv in s["levels"]})
                   for s in raw["signals"]}
        return cls(signals)

    def find(self, ref: str) -> Signal:
        """A signal by code ("01") or Chinese name ("台风"); :class:`Invalid` names the choices."""
        ref = ref.strip()
        if ref.isdigit() and len(ref) <= 2:
            ref = ref.zfill(2)
        for sig in self.signals.values():
            if ref in (sig.code, sig.name_zh):
                return sig
        names = ", ".join(f"{s.code} {s.name_zh}" for s in self.signals.values())
        raise Invalid(f"unknown signal {ref[:20]!r}; one of: {names}")

    def named_in(self, text: str) -> Signal | None:
        """The signal whose name a headline mentions (longest name first: 暴雪 before 雪)."""
        for sig in sorted(self.signals.values(), key=lambda s: -len(s.name_zh)):
            if sig.name_zh in text:
                return sig
        return None

    def check(self, signal: Signal, colour: str) -> None:
        if colour not in signal.criteria:
            have = ", ".join(signal.criteria)
            raise Invalid(f"{signal.name_zh} has no {colour} level; it has: {have}")


def colour_of(value: str) -> str:
    """Normalise a colour spelling; :class:`Invalid` for anything else."""
    found = _COLOUR_ALIASES.get(value.strip().lower()) or _COLOUR_ALIASES.get(value.strip())
    if found is None:
        raise Invalid(f"unknown colour {value[:20]!r}; one of blue, yellow, orange, red (蓝色 黄色 橙色 红色)")
    return found


@cache
def catalogue() -> Catalogue:
    return Catalogue.load()
