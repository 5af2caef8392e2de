"""The staff sign-in audit (#14): every console sign-in, failure, sign-out and password set."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0014_alert_optout')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='StaffAudit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('event', fields.CharField(max_length=24)),
                ('account', fields.CharField(max_length=20)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('actor', fields.CharField(max_length=128)),
                ('ip', fields.CharField(max_length=64)),
                ('detail', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'staff_audit', 'app': 'gridline', 'pk_attr': 'id',
                     'table_description': 'Who signed in to a staff page, failed to, signed out or had a password '
                                          'set (#14): append-only.'},
            bases=['Model'],
        ),
    ]
