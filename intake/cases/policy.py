"""The knobs of intake's routing, of the 核实 / 核查 tasks, of residents' own steps and of who outside hears
of cases, set once by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

TaskHolder = Literal["worker", "supervisor"]


@dataclass(frozen=True, slots=True)
class TaskPolicy:
    tolerance_m: float = 200.0  # a 核实 / 处置 / 核查 farther than this from the case point is flagged
    evidence_required: bool = True  # 核实 and 核查 need the actor's position and at least one photo ref
    verify_by: TaskHolder = "worker"  # who is given a 核实 task: the cell's worker on duty, or a supervisor
    check_by: TaskHolder = "worker"  # who is given a 核查 task (never the handler)
    resident_urge_hours: float = 24.0  # a resident may 催办 a case at most once in this many hours
    office_hours: str = "周一至周五 9:00-18:00"  # shown on the 我的网格员 card
    # 条线分流: intake dispatches a confident department category to its line's department itself. Off
    # unless the centre turns it on: departments must first be set up to act on cases (users, mail, group).
    auto_dispatch_departments: bool = False


@dataclass(frozen=True, slots=True)
class OutwardPolicy:
    """Who outside hears of cases (:mod:`intake.cases.outward`). ``upstream``: category code → the upstream
    Open311 platform's ``service_code`` (empty: nothing is pushed). ``webhooks``: subscriber name → the
    steps it hears of (``*``: every step); URLs and secrets are the sender's, not the domain's."""

    upstream: Mapping[str, str] = field(default_factory=dict)
    webhooks: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Who witnesses each daily audit checkpoint outside the database: (recipient kind, ref) pairs, e.g.
    # ("witness", "file") for the append-only file, ("subscriber", name) for a webhook following "checkpoint".
    witnesses: tuple[tuple[str, str], ...] = ()
