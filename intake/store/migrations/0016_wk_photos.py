"""Staff photos (watermarked, with the original's hash and EXIF position) and 公众号 photos fetched from WeChat
share the photo table: where each came from, whether it is stored, pending or lost, the fetch's retries;
one-time sign-in codes for a worker's new phone (#13, #19)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('gridline', '0015_con_desk')]

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
        ops.CreateModel(
            name='LoginCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('user_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'worker_login_codes', 'app': 'gridline', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
