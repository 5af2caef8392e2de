"""Make the case event log append-only in the database itself.

The application never updates or deletes an event; these triggers make sure no
one else does either (a hash chain detects tampering, triggers prevent the easy kind).
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS case_events_no_update BEFORE UPDATE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS case_events_no_delete BEFORE DELETE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;""",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'case_events is append-only'; END; $$ LANGUAGE plpgsql;""",
    """DROP TRIGGER IF EXISTS case_events_no_change ON case_events;""",
    """CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
       FOR EACH ROW EXECUTE FUNCTION case_events_append_only();""",
]


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    statements = SQLITE if client.capabilities.dialect == "sqlite" else POSTGRES
    for sql in statements:
        await client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [("gridline", "0001_initial")]

    operations = [ops.RunPython(forward)]
