"""考核 score: one number per unit or worker, from its case figures, with the breakdown that made it.

Each component is a share in [0, 1] where 1 is best:

- ``on_time``: 按期办结率 (closed on time / closed);
- ``satisfaction``: 满意率 from the surveys (满意 + 基本满意 over answers) — absent for street and community,
  which the surveys do not group by;
- ``reopen``: 1 − reopen rate;
- ``supervise``: 1 − 督办 per registered case (capped at one 督办 per case);
- ``volume``: cases closed / the most any row closed (a unit that closes little scores less here).

score = 100 × Σ weightᵢ × componentᵢ / Σ weightᵢ, summed over the components the row has (one with no
data — nothing closed, no survey answered — drops out and the others are scaled up, rather than scoring 0).
Weights come from ``GRIDLINE_SCORE_WEIGHTS`` (default ``on_time=40,satisfaction=25,reopen=15,supervise=10,
volume=10``); they need not sum to 100.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.stats.cases import CaseRow
from intake.stats.weights import Weights


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    value: float | None  # the component, 0..1; None when the row has no data for it
    weight: float
    points: float  # what it adds to the score


@dataclass(frozen=True, slots=True)
class Score:
    key: str | None
    score: float | None  # None when no component has data
    parts: tuple[Part, ...]


def components(row: CaseRow, satisfaction: float | None, most_closed: int) -> dict[str, float | None]:
    return {
        "on_time": row.on_time_rate,
        "satisfaction": satisfaction,
        "reopen": None if row.reopen_rate is None else 1 - row.reopen_rate,
        "supervise": 1 - min(1.0, row.supervised / row.registered) if row.registered else None,
        "volume": row.closed / most_closed if most_closed else None,
    }


def score(row: CaseRow, satisfaction: float | None, most_closed: int, weights: Weights) -> Score:
    values = components(row, satisfaction, most_closed)
    w = weights.as_dict()
    total = sum(w[name] for name, value in values.items() if value is not None)
    points = {name: 100 * w[name] * value / total if value is not None and total else 0.0
              for name, value in values.items()}
    parts = tuple(Part(name, None if value is None else round(value, 4), w[name], round(points[name], 2))
                  for name, value in values.items())
    return Score(row.key, round(sum(points.values()), 2) if total else None, parts)


def scores(rows: list[CaseRow], satisfaction: dict[str | None, float | None], weights: Weights) -> list[Score]:
    """Every row's score, volume measured against the row that closed most."""
    most = max((r.closed for r in rows), default=0)
    return [score(r, satisfaction.get(r.key), most, weights) for r in rows]
