"""The dispatcher's queues: each a condition on the open cases the user may read (``scope.read_filter``).

A case may sit in two queues (returned and overdue): each queue answers one question of the desk.
Filters (area, category, severity, channel, reported between two dates) narrow every queue alike.

Every queue holds open cases only, so both reads start from the open cases (a partial index, migration
0026, keeps them apart from the years of closed ones) in the scope and filters, then: every queue's count
in one grouped ``COUNT(*) FILTER`` statement, and a queue's page by the index's order (nearest deadline
first). The queue conditions are SQL written once here (``QUEUE_SQL``) and used by both reads; the
events' questions (督办 by a person, the last word on voiding) are correlated ``EXISTS`` answered from a
partial index of those few events (migration 0029) instead of a scan of every event. The page's SLA
light is :mod:`intake.sla.light`'s, per listed case (a page is at most ``PAGE`` of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.cases import assists, scope
from intake.cases.model import Actor
from intake.cases.states import OPEN, Status
from intake.sla.deadlines import DEFAULT_LIMIT_HOURS
from intake.store.db import db_value, dialect, fetch
from intake.store.models import Case
from intake.tuning.triage import PENDING

QUEUES = ("new", "triage", "dispatch", "returned", "overdue", "supervised", "checking", "extension", "void",
          "assist")
LABELS = {"new": "New reports", "triage": "Triage", "dispatch": "To dispatch", "returned": "Returned",
          "overdue": "Overdue", "supervised": "Supervised (督办)", "checking": "Awaiting check",
          "extension": "Extension requested", "void": "Void requested", "assist": "Assist pending (协办)"}
SEVERITIES = tuple(DEFAULT_LIMIT_HOURS)
# The channels the filter suggests (the admin API may name others; the filter takes any such name).
CHANNELS = ("wechat", "miniprogram", "worker", "open311", "api")
PAGE = 100  # one screen of a queue; the admin API pages further
# Written out (not a parameter) so that the planner can prove the partial index on open cases applies.
OPEN_SQL = "c.status IN (" + ", ".join(f"'{s}'" for s in sorted(str(s) for s in OPEN)) + ")"
_S = Status


def _is(*states: Status) -> str:
    return "c.status IN (" + ", ".join(f"'{s}'" for s in states) + ")"


# Each queue's condition on an open case ``c``; ``?`` (overdue) is now. 协办 (``assist``: a sub-task waiting
# for its unit's answer) is the database's own JSON reading, from intake.cases.assists (see ``condition``).
QUEUE_SQL = {
    "new": _is(_S.REPORTED),
    "triage": f"{_is(_S.REPORTED)} AND EXISTS (SELECT 1 FROM nlp_triage t "
              f"WHERE t.case_no = c.case_no AND t.status = '{PENDING}')",
    "dispatch": _is(_S.REGISTERED),
    "returned": _is(_S.RETURNED),
    "overdue": "c.deadline_at < ?",
    # 督办 by the SLA sweep (the escalation level) or by a person (an event not the system's)
    "supervised": "(c.escalation_level > 0 OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_no = c.case_no "
                  "AND e.action = 'supervise' AND e.role <> 'system'))",
    "checking": _is(_S.HANDLED, _S.CHECKING),
    "extension": "c.extension_request IS NOT NULL",
    # the last word on voiding is a request: one with no refusal after it
    "void": "EXISTS (SELECT 1 FROM case_events e WHERE e.case_no = c.case_no AND e.action = 'request_void' "
            "AND NOT EXISTS (SELECT 1 FROM case_events d WHERE d.case_no = c.case_no "
            "AND d.action = 'deny_void' AND d.seq > e.seq))",
}


def condition(queue: str) -> str:
    return assists.PENDING_SQL[dialect()] if queue == "assist" else QUEUE_SQL[queue]


@dataclass(frozen=True, slots=True)
class DeskFilter:
    """What the desk's filter form narrows every queue to; empty means any."""

    category: str = ""  # a leaf code, or two digits for a major class
    severity: str = ""
    area: str = ""  # a grid code prefix: a street, a community or a cell
    channel: str = ""
    since: datetime | None = None  # reported at or after
    until: datetime | None = None  # reported before


def _open_cases(actor: Actor, flt: DeskFilter) -> tuple[str, list[Any]]:
    """``FROM`` and ``WHERE`` of the open cases ``c`` in the actor's scope and the filter, and its parameters.

    The scope rule is written once, as an ORM filter (``scope.read_filter``): its SQL, values inlined and
    quoted by the ORM (as :mod:`intake.stats.cases` does; grid codes, ids and department codes, never a
    ``?``), picks the ids among the open cases. The filter's values are parameters, in the ORM's form."""
    where, params = [OPEN_SQL], []
    read = scope.read_filter(actor)
    if read.children or read.filters:
        ids = Case.filter(read, status__in=[str(s) for s in OPEN]).values_list("id").sql(params_inline=True)
        where.append(f"c.id IN ({ids})")
    for column, value, prefix in (("category_code", flt.category, len(flt.category) == 2),
                                  ("severity", flt.severity, False), ("grid_code", flt.area, True),
                                  ("channel", flt.channel, False)):
        if value:
            where.append(f"c.{column} LIKE ? ESCAPE '!'" if prefix else f"c.{column} = ?")
            params.append(_like(value) + "%" if prefix else value)
    for op, day in ((">=", flt.since), ("<", flt.until)):
        if day is not None:
            where.append(f"c.opened_at {op} ?")
            params.append(db_value(Case, "opened_at", day))
    return "FROM cases c WHERE " + " AND ".join(where), params


def _like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _now(now: datetime) -> Any:
    return db_value(Case, "deadline_at", now)


def counts_statement(actor: Actor, now: datetime, flt: DeskFilter) -> tuple[str, list[Any]]:
    """:func:`counts`' SQL (``?`` placeholders) and parameters (also for ``bench/console_explain.py``)."""
    columns = ", ".join(f"COUNT(*) FILTER (WHERE {condition(q)}) AS {q}" for q in QUEUES)
    found, params = _open_cases(actor, flt)
    return f"SELECT {columns} {found}", [_now(now), *params]


def page_statement(actor: Actor, queue: str, now: datetime, flt: DeskFilter,
                   after: tuple[datetime, int] | None = None) -> tuple[str, list[Any]]:
    """The ids of a queue's page: :func:`cases`' SQL and parameters."""
    found, params = _open_cases(actor, flt)
    where = condition(queue)
    params += [_now(now)] if queue == "overdue" else []
    if after is not None:
        where += " AND (c.deadline_at > ? OR (c.deadline_at = ? AND c.id > ?))"
        params += [_now(after[0]), _now(after[0]), after[1]]
    return f"SELECT c.id {found} AND {where} ORDER BY c.deadline_at, c.id LIMIT {PAGE}", params


async def counts(actor: Actor, now: datetime, flt: DeskFilter | None = None) -> dict[str, int]:
    """Every queue's count in one statement."""
    rows = await fetch(*counts_statement(actor, now, flt or DeskFilter()))
    return {q: int(rows[0][q] or 0) for q in QUEUES}


async def cases(actor: Actor, queue: str, now: datetime, flt: DeskFilter | None = None,
                after: tuple[datetime, int] | None = None) -> list[Case]:
    """The queue's cases, the nearest deadline first; ``after`` (a row's deadline and id) pages on."""
    ids = [int(r["id"]) for r in await fetch(*page_statement(actor, queue, now, flt or DeskFilter(), after))]
    found = {c.id: c for c in await Case.filter(id__in=ids)}
    return [found[i] for i in ids if i in found]
