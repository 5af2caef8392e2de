"""The statistics' daily rollup, the days it holds and the cases changed since (#14 figures), the triggers
that note every change, an index on the ``open`` events' times (the cohort of a window) and one for the
heat map's window."""

from __future__ import annotations

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# The columns the figures read or group and scope by: a change to any marks the case dirty.
WATCHED = ("status", "closed_at", "deadline_at", "grid_code", "assignee_user_id", "assignee_department",
           "task_user_id", "category_code", "lat", "lng", "opened_at")

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS stats_dirty_event AFTER INSERT ON case_events
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS stats_dirty_case AFTER UPDATE ON cases
       WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in WATCHED)}
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); END;""",
    "CREATE INDEX IF NOT EXISTS case_events_open_at ON case_events (at) WHERE action = 'open'",
    "CREATE INDEX IF NOT EXISTS cases_heat ON cases (opened_at, lat, lng, category_code)",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION stats_dirty_note() RETURNS trigger AS $$
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); RETURN NULL; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS stats_dirty_event ON case_events;",
    """CREATE TRIGGER stats_dirty_event AFTER INSERT ON case_events
       FOR EACH ROW EXECUTE FUNCTION stats_dirty_note();""",
    "DROP TRIGGER IF EXISTS stats_dirty_case ON cases;",
    f"""CREATE TRIGGER stats_dirty_case AFTER UPDATE ON cases FOR EACH ROW
       WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in WATCHED)})
       EXECUTE FUNCTION stats_dirty_note();""",
    "CREATE INDEX IF NOT EXISTS case_events_open_at ON case_events (at) WHERE action = 'open'",
    # The heat map's window read from the index alone (intake.map.points).
    "CREATE INDEX IF NOT EXISTS cases_heat ON cases (opened_at) INCLUDE (lat, lng, category_code, id)",
]


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for sql in SQLITE if client.capabilities.dialect == "sqlite" else POSTGRES:
        await client.execute_script(sql)


def _id() -> fields.BigIntField:
    return fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)


_COUNTS = ("received", "registered", "closed", "on_time", "response_n", "handling_n", "supervised", "reopened",
           "ever_closed", "voided")


class Migration(migrations.Migration):
    dependencies = [('gridline', '0020_table_notes')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='StatsDaily',
            fields=[
                ('id', _id()),
                ('day', fields.DateField(db_index=True)),
                ('grid_code', fields.CharField(null=True, max_length=20)),
                ('assignee_user_id', fields.IntField(null=True)),
                ('assignee_department', fields.CharField(null=True, max_length=64)),
                ('task_user_id', fields.IntField(null=True)),
                ('category_code', fields.CharField(null=True, max_length=16)),
                *((name, fields.IntField()) for name in _COUNTS[:5]),
                ('response_sum', fields.FloatField()),
                ('handling_n', fields.IntField()),
                ('handling_sum', fields.FloatField()),
                *((name, fields.IntField()) for name in _COUNTS[6:]),
                ('response_one', fields.FloatField(null=True)),
                ('handling_one', fields.FloatField(null=True)),
                ('response_values', fields.TextField(unique=False)),
                ('handling_values', fields.TextField(unique=False)),
            ],
            options={'table': 'stats_daily', 'app': 'gridline', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatsDay',
            fields=[('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                    ('built_at', fields.DatetimeField(auto_now=False, auto_now_add=False))],
            options={'table': 'stats_days', 'app': 'gridline', 'pk_attr': 'day'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatsDirty',
            fields=[('id', _id()), ('case_no', fields.CharField(max_length=32))],
            options={'table': 'stats_dirty', 'app': 'gridline', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(forward),
    ]
