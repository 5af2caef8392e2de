"""协办 in case lists (#19): ``cases.assist_units`` names the units with an open or answered sub-task, so an
assisting department's (or worker's) list can find the case without reading every case's JSON."""

from __future__ import annotations

import json
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


def _units(raw: Any) -> str | None:
    assists = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    found = [f"{a['kind']}:{a['ref']}" for a in assists or [] if isinstance(a, dict)
             and a.get("status") in ("pending", "answered")]
    return f" {' '.join(dict.fromkeys(found))} " if found else None


async def backfill(apps: Any, schema_editor: Any) -> None:
    """Cases that had sub-tasks before this column existed (written as ``intake.cases.assists.units`` does)."""
    client = schema_editor.client
    mark = "?" if client.capabilities.dialect == "sqlite" else "$1"
    other = "?" if client.capabilities.dialect == "sqlite" else "$2"
    rows = await client.execute_query_dict("SELECT id, assists FROM cases WHERE assists IS NOT NULL")
    for row in rows:
        await client.execute_query(f"UPDATE cases SET assist_units = {mark} WHERE id = {other}",
                                   [_units(row["assists"]), row["id"]])


class Migration(migrations.Migration):
    dependencies = [('gridline', '0023_transfers')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name="Case", name="assist_units", field=fields.CharField(null=True, max_length=1000)),
        ops.RunPython(backfill),
    ]
