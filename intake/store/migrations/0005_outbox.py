from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0004_classifier')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='GridGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('grid_code', fields.CharField(unique=True, max_length=20)),
                ('webhook_key', fields.CharField(max_length=100)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by', fields.CharField(max_length=128)),
            ],
            options={'table': 'grid_groups', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'The WeCom group robot (webhook key) of a grid cell, used for it and every cell below it without one.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.BigIntField(db_index=True)),
                ('what', fields.CharField(max_length=8)),
                ('channel', fields.CharField(max_length=24)),
                ('outcome', fields.CharField(max_length=16)),
                ('code', fields.IntField(null=True)),
                ('detail', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_attempts', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'One delivery try (``what`` = attempt) or one reach decision (``what`` = route) for a message.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharField(max_length=40)),
                ('recipient_kind', fields.CharField(max_length=16)),
                ('recipient_ref', fields.CharField(db_index=True, max_length=128)),
                ('recipient_channel', fields.CharField(null=True, max_length=32)),
                ('channel', fields.CharField(default='', max_length=24)),
                ('address', fields.CharField(null=True, max_length=200)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(db_index=True, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('last_code', fields.IntField(null=True)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('group', fields.CharField(null=True, db_index=True, max_length=64)),
                ('case_no', fields.CharField(null=True, db_index=True, max_length=32)),
                ('urgent', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'One message for one recipient, unique by its idempotency key.'},
            bases=['Model'],
        ),
    ]
