"""Inbound messages say when their turn ended (#18): the recovery walk finds half-done turns in the database,
not by Redis's claims, which an empty restart loses. Messages stored before this column existed count as
answered (their turns are long over, and a walk must not answer them again)."""

from __future__ import annotations

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def backfill(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    await client.execute_script("UPDATE inbound_messages SET answered_at = received_at")
    # The walk's question every 5 s (intake.arrivals.unanswered): only the few unanswered rows in the index.
    await client.execute_script("CREATE INDEX IF NOT EXISTS inbound_messages_unanswered "
                                "ON inbound_messages (received_at) WHERE answered_at IS NULL")


class Migration(migrations.Migration):
    dependencies = [('gridline', '0026_desk_open')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name="InboundMessage", name="answered_at",
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.RunPython(backfill),
    ]
