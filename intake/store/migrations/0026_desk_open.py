"""The desk's queues (#14): a partial index on the open cases, nearest deadline first, and one on the few
events the queues ask about (督办 by a person, requests to void and their refusals).

Every desk queue holds open cases only, and they are a small share of years of cases: the index holds
just them, in the order a queue page lists them (and the overdue queue cuts them), so the counts and a
page read the open cases instead of every case. ``OPEN`` is written out as ``intake.cases.desk.OPEN_SQL``
writes it (a test holds the two to ``intake.cases.states.OPEN``): the planner uses a partial index only
where the query's own condition implies the index's. The events' index holds the columns those
questions read (role last), so they are answered from it alone, however many comments a case has.
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

OPEN = ("checking", "dispatched", "handled", "handling", "registered", "reported", "returned", "suspended",
        "verifying")
INDEX = ("CREATE INDEX IF NOT EXISTS cases_open_deadline ON cases (deadline_at, id) "
         "WHERE status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")")
EVENTS = ("CREATE INDEX IF NOT EXISTS case_events_desk ON case_events (case_no, action, seq, role) "
          "WHERE action IN ('supervise', 'request_void', 'deny_void')")


async def forward(apps: Any, schema_editor: Any) -> None:
    for sql in (INDEX, EVENTS):  # the same statements on PostgreSQL and SQLite
        await schema_editor.client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [('gridline', '0025_media_caption')]

    initial = False

    operations: list[ops.Operation] = [ops.RunPython(forward)]
