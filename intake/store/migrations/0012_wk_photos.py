"""Staff photos (watermarked, with the original's hash and EXIF position) and 公众号 photos fetched from WeChat
share the photo table: where each came from, whether it is stored, pending or lost, the fetch's retries (#13, #19)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('gridline', '0011_console')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name='Media', name='source',
                     field=fields.CharField(max_length=16, default='mp', db_default='mp')),
        ops.AddField(model_name='Media', name='state',
                     field=fields.CharField(max_length=8, default='stored', db_default='stored')),
        ops.AddField(model_name='Media', name='ref', field=fields.CharField(max_length=200, null=True, db_index=True)),
        ops.AddField(model_name='Media', name='original_sha256', field=fields.CharField(max_length=64, null=True)),
        ops.AddField(model_name='Media', name='taken_at', field=fields.DatetimeField(null=True)),
        ops.AddField(model_name='Media', name='lat', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Media', name='lng', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Media', name='tries', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='Media', name='next_try_at', field=fields.DatetimeField(null=True)),
        ops.AddField(model_name='Media', name='last_error', field=fields.CharField(max_length=300, null=True)),
    ]
