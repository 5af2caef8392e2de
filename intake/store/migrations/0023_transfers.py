"""Cases passed on as 不属于本辖区 (#19): moved into a region served here, or on record for one outside."""

from __future__ import annotations

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('gridline', '0022_upstream')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name="CaseTransfer",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("case_no", fields.CharField(db_index=True, max_length=32)),
                ("from_grid", fields.CharField(null=True, max_length=20)),
                ("to_code", fields.CharField(db_index=True, max_length=20)),
                ("moved", fields.BooleanField()),
                ("by", fields.CharField(max_length=64)),
                ("note", fields.TextField(null=True)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "case_transfers", "app": "gridline", "pk_attr": "id",
                     "table_description": "A case passed on as 不属于本辖区: moved into a region served here, or on record for one outside."},
            bases=["Model"],
        ),
    ]
