"""Cases pushed to an upstream Open311 platform (#19): the id it gave and the status read back."""

from __future__ import annotations

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('gridline', '0021_stats_rollup')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name="UpstreamRequest",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("case_no", fields.CharField(unique=True, max_length=32)),
                ("service_code", fields.CharField(max_length=64)),
                ("service_request_id", fields.CharField(null=True, max_length=64, db_index=True)),
                ("token", fields.CharField(null=True, max_length=64)),
                ("status", fields.CharField(default="submitted", max_length=16)),
                ("status_notes", fields.TextField(null=True)),
                ("agency", fields.CharField(null=True, max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("polled_at", fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "upstream_requests", "app": "gridline", "pk_attr": "id",
                     "table_description": "A case pushed to the upstream Open311 platform: its id there and the last status read back."},
            bases=["Model"],
        ),
    ]
