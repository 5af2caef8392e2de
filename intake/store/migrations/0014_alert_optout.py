"""A resident's alert opt-out (退订 / 取消预警 by text, #16)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0013_kv_fallback')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(
            model_name='Resident',
            name='alerts_muted',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
