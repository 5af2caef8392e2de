"""Persistence of cases: numbers, inserts with their first events, guarded updates, queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar

from tortoise import connections
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from intake.cases import scope
from intake.cases.model import Actor
from intake.cases.states import OPEN
from intake.errors import Conflict, NotFound
from intake.store import db
from intake.store.models import Case, CaseEvent, CoReporter

M = TypeVar("M", bound=Model)

_UPSERT = ("INSERT INTO case_counters (district, day, n) VALUES ({p1}, {p2}, 1) "
           "ON CONFLICT (district, day) DO UPDATE SET n = case_counters.n + 1 RETURNING n")


async def next_serial(district: str, day: str) -> int:
    """The next daily serial for a district, in its own statement.

    Taken outside the case's transaction on purpose: the counter row would
    otherwise stay locked until commit and serialise every intake of the day.
    A failed intake leaves a gap, which is harmless.
    """
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        sql, values = _UPSERT.format(p1="?", p2="?"), [district, day]
    else:
        sql, values = _UPSERT.format(p1="$1", p2="$2"), [district, day]
    # execute_query_dict always fetches; execute_query drops RETURNING rows of an INSERT on asyncpg.
    rows = await conn.execute_query_dict(sql, values)
    return int(rows[0]["n"])


async def insert(case: Case, events: Sequence[CaseEvent]) -> None:
    async with in_transaction():
        await case.save()
        await CaseEvent.bulk_create(list(events))


async def save_step(case: Case, expected_seq: int, events: Sequence[CaseEvent],
                    extra: Sequence[CoReporter] = ()) -> None:
    """Write a changed case and its new events, unless someone else got there first."""
    sql, names = _step_update()
    values = [db.db_value(Case, name, getattr(case, name)) for name in names]
    async with in_transaction() as tx:
        updated, _ = await tx.execute_query(db.native(tx, sql), [*values, case.id, expected_seq])
        # (SQLite's count includes the stats_dirty row its trigger writes: "none" is the conflict.)
        if updated < 1:
            raise Conflict(f"case {case.case_no} changed meanwhile; reload and retry")
        await CaseEvent.bulk_create(list(events))
        for row in extra:
            await CoReporter.get_or_create(case_no=row.case_no, channel=row.channel, reporter=row.reporter,
                                           defaults={"created_at": row.created_at})


@cache
def _step_update() -> tuple[str, tuple[str, ...]]:
    """Every column but the keys, guarded by the sequence. Written once: the ORM's ``update(**fields)``
    copies its whole query for each of the ~40 columns (about 3 ms a step, the dearest part of one)."""
    names = tuple(n for n in Case._meta.fields_map if n not in ("id", "case_no"))
    columns = ", ".join(f'"{Case._meta.fields_db_projection[n]}" = ?' for n in names)
    return f'UPDATE "{Case._meta.db_table}" SET {columns} WHERE "id" = ? AND "last_seq" = ?', names


@cache
def _of_case(model: type[Model], order: str) -> str:
    """A model's rows of one case, in ``order``: SQL written once (the ORM builds each query anew, about
    half a millisecond of CPU; a cycle's steps read the case, its events and co-reporters a dozen times)."""
    columns = ", ".join(f'"{c}"' for c in model._meta.fields_db_projection.values())
    return f'SELECT {columns} FROM "{model._meta.db_table}" WHERE "case_no" = ? ORDER BY "{order}"'


async def _rows(model: type[M], case_no: str, order: str) -> list[M]:
    return [model._init_from_db(**row) for row in await db.fetch(_of_case(model, order), [case_no])]


async def get(case_no: str) -> Case:
    found = await _rows(Case, case_no, "id")  # case_no is unique: one row or none
    if not found:
        raise NotFound(f"no case {case_no}")
    return found[0]


async def events(case_no: str) -> list[CaseEvent]:
    return await _rows(CaseEvent, case_no, "seq")


async def co_reporters(case_no: str) -> list[CoReporter]:
    return await _rows(CoReporter, case_no, "id")


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None
    grid: str | None = None
    category: str | None = None
    reporter: str | None = None
    overdue: bool | None = None
    text: str | None = None
    assignee: int | None = None


async def search(actor: Actor, flt: CaseFilter, now: datetime, offset: int, limit: int) -> tuple[int, list[Case]]:
    """Cases visible to ``actor`` matching ``flt``, newest first, with the total count."""
    query = matching(actor, flt, now)
    total = await query.count()
    rows = await query.order_by("-opened_at", "-id").offset(offset).limit(limit)
    return total, rows


def matching(actor: Actor, flt: CaseFilter, now: datetime) -> QuerySet[Case]:
    """The cases visible to ``actor`` matching ``flt``, unordered (the list and the export share it)."""
    query = Case.filter(scope.read_filter(actor))
    if flt.status:
        query = query.filter(status__in=flt.status.split(","))
    if flt.grid:
        query = query.filter(grid_code__startswith=flt.grid)
    if flt.category:
        # A two-digit code is a major class: match every category under it.
        query = query.filter(category_code__startswith=flt.category) if len(flt.category) == 2 else \
            query.filter(category_code=flt.category)
    if flt.reporter:
        query = query.filter(reporter=flt.reporter)
    if flt.assignee is not None:
        query = query.filter(assignee_user_id=flt.assignee)
    if flt.text:
        query = query.filter(Q(description__icontains=flt.text) | Q(address__icontains=flt.text)
                             | Q(case_no__contains=flt.text))
    if flt.overdue is not None:
        overdue = Q(status__in=[str(s) for s in OPEN], deadline_at__lt=now)
        query = query.filter(overdue if flt.overdue else ~overdue)
    return query

