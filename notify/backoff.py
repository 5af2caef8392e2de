"""Exponential backoff with full jitter, capped, and the attempt count after which a message is dead."""

from __future__ import annotations

import random
from dataclasses import dataclass

_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class Backoff:
    base_s: float = 5.0
    cap_s: float = 3600.0
    max_attempts: int = 8

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed try: uniform in [0, min(cap, base·2^(attempts-1))].

        Full jitter spreads the retries of many messages that failed together (a 45009 burst).
        """
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(max(attempts - 1, 0), 60))
        return (rng or _RNG).uniform(0.0, ceiling)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
