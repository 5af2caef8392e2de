"""The desk's queues (#14): a partial index on the open cases, nearest deadline first.

Every desk queue holds open cases only, and they are a small share of years of cases: the index holds
just them, in the order a queue page lists them (and the overdue queue cuts them), so the counts and a
page read the open cases instead of every case. ``OPEN`` is written out as ``intake.cases.desk.OPEN_SQL``
writes it (a test holds the two to ``intake.cases.states.OPEN``): the planner uses a partial index only
where the query's own condition implies the index's.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

OPEN = ("checking", "dispatched", "handled", "handling", "registered", "reported", "returned", "suspended",
        "verifying")
INDEX = ("CREATE INDEX IF NOT EXISTS cases_open_deadline ON cases (deadline_at, id) "
         "WHERE status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")")


async def forward(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script(INDEX)  # the same statement on PostgreSQL and SQLite


class Migration(migrations.Migration):
    dependencies = [('gridline', '0024_assist_units')]

    initial = False

    operations: list[ops.Operation] = [ops.RunPython(forward)]
