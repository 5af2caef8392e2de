"""Alerts: the grid workers' instructions, apart from what residents read (#16)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0017_wk_offline')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(
            model_name='Alert',
            name='instructions',
            field=fields.TextField(null=True),
        ),
    ]
