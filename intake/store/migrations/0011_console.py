"""The staff console's password hashes (#14)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0010_reliability')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='StaffPassword',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField(unique=True)),
                ('hash', fields.CharField(max_length=255)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_passwords', 'app': 'gridline', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
