"""核实 / 核查 as tasks, position flags and 协办 sub-tasks on the case row (#19)."""

from __future__ import annotations

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


def _json() -> fields.JSONField:  # type: ignore[type-arg]
    return fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)


class Migration(migrations.Migration):
    dependencies = [('gridline', '0018_adm_alerts')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name="Case", name="handler_user_id", field=fields.IntField(null=True)),
        ops.AddField(model_name="Case", name="task_kind", field=fields.CharField(null=True, max_length=16)),
        ops.AddField(model_name="Case", name="task_user_id", field=fields.IntField(null=True, db_index=True)),
        ops.AddField(model_name="Case", name="position_flags", field=_json()),
        ops.AddField(model_name="Case", name="assists", field=_json()),
    ]
