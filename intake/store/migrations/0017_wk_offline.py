"""Page sessions listed for admins (worker and console): who, since when, last seen, which device."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0016_wk_photos')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='PageSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('namespace', fields.CharField(max_length=16)),
                ('user_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('user_agent', fields.CharField(max_length=80)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_by', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'page_sessions', 'app': 'gridline', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
