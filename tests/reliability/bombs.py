"""Hostile payloads with fixed seeds: shared by the standing suite and ``bench/chaos.py``."""

from __future__ import annotations

import random
import time


def polygon_bomb(n: int, centre: tuple[float, float], size: float = 0.02, seed: int = 18) -> list[tuple[float, float]]:
    """``n`` random points around ``centre`` (lng, lat) in random order: edges cross ~n²/10 times."""
    rng = random.Random(seed)
    lng, lat = centre
    return [(lng + (rng.random() - 0.5) * size, lat + (rng.random() - 0.5) * size) for _ in range(n)]


def sleep_for(seconds: float) -> float:
    """A stand-in for a heavy step that never finishes within its budget (runs in a worker)."""
    time.sleep(seconds)
    return seconds


def hog_memory(mb: int) -> int:
    """A heavy step that asks for more memory than a worker may have."""
    return len(bytearray(mb * 1024 * 1024))


def hostile_strings(rng: random.Random, count: int) -> list[str]:
    """Strings that broke parsers and columns elsewhere: over-long, control characters, odd scripts, markup."""
    pieces = ["x", "路", "\u202e", "\ufeff", "'; DROP TABLE cases; --", "<![CDATA[", "]]>", "%s%n", "\\x00",
              "𠜎", "=cmd|' /C calc'!A0", "../../etc/passwd", "\u0000", "\ud7ff", "９"]
    out = []
    for _ in range(count):
        length = rng.choice([0, 1, 16, 33, 65, 129, 201, 301, 501, 2049, 20_000])
        out.append("".join(rng.choice(pieces) for _ in range(max(1, length // 2)))[:length])
    return out
