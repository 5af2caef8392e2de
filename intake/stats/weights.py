"""The 考核 score's weights (see :mod:`intake.stats.score`): plain data, read once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Weights:
    on_time: float = 40.0
    satisfaction: float = 25.0
    reopen: float = 15.0
    supervise: float = 10.0
    volume: float = 10.0

    @classmethod
    def parse(cls, text: str) -> Weights:
        """``on_time=40,satisfaction=25,...``: names not given keep their default; raises ValueError."""
        given: dict[str, float] = {}
        names = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in names:
                raise ValueError(f"score weight {part!r}: expected name=number, names {', '.join(sorted(names))}")
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"score weight {name} must be a number, not {raw.strip()!r}") from None
            if not 0 <= value <= 1000:
                raise ValueError(f"score weight {name} must be between 0 and 1000")
            given[name] = value
        weights = cls(**given)
        if sum(weights.as_dict().values()) <= 0:
            raise ValueError("at least one score weight must be above 0")
        return weights

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}
