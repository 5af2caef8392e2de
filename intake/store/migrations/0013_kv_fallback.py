"""The key-value fallback table: dedup claims, turns and drafts while Redis is down (#18)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0012_pipl')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='KvEntry',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('value', fields.TextField()),
                ('expires_at', fields.FloatField(null=True, db_index=True)),
            ],
            options={'table': 'kv_entries', 'app': 'gridline', 'pk_attr': 'key', 'table_description': "The shared key-value store's fallback while Redis is unreachable (``bot.storage.database``)."},
            bases=['Model'],
        ),
    ]
