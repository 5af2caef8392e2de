"""The grid centre's workflow (#19): department and duty columns, append-only audit checkpoints."""

from __future__ import annotations

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_checkpoints is append-only'; END; $$ LANGUAGE plpgsql;""",
    """DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints;""",
    """CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
       FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();""",
]


async def append_only(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for sql in SQLITE if client.capabilities.dialect == "sqlite" else POSTGRES:
        await client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [("gridline", "0008_resident_outbox_held")]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name="Department", name="wecom_group",
                     field=fields.CharField(null=True, max_length=200)),
        ops.AddField(model_name="Department", name="active", field=fields.BooleanField(default=True, db_default=True)),
        ops.AddField(model_name="User", name="wecom_userid", field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name="User", name="on_leave", field=fields.BooleanField(default=False, db_default=False)),
        ops.AddField(model_name="User", name="substitute_id", field=fields.IntField(null=True)),
        ops.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("day", fields.CharField(unique=True, max_length=10)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("cases", fields.IntField()),
                ("cutoff", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("heads_hash", fields.CharField(max_length=64)),
                ("prev_hash", fields.CharField(max_length=64)),
                ("hash", fields.CharField(max_length=64)),
            ],
            options={"table": "audit_checkpoints", "app": "gridline", "pk_attr": "id",
                     "table_description": "One daily witness of all case chain heads (append-only)."},
            bases=["Model"],
        ),
        ops.RunPython(append_only),
    ]
