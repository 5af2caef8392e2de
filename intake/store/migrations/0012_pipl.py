"""Personal data (PIPL, #18): when a case was anonymised, residents' erasure requests, the staff read log."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0011_console')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(
            model_name='Case',
            name='anonymised_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Resident',
            name='erase_requested_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='PersonalDataRead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('actor', fields.CharField(max_length=64)),
                ('role', fields.CharField(max_length=16)),
                ('case_no', fields.CharField(db_index=True, max_length=32)),
                ('purpose', fields.CharField(max_length=64)),
                ('fields_read', fields.JSONField(default=list)),
            ],
            options={'table': 'personal_data_reads', 'app': 'gridline', 'pk_attr': 'id', 'table_description': "A staff member read a resident's personal data: who, which case, why (the PIPL access log, append-only)."},
            bases=['Model'],
        ),
    ]
