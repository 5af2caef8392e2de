"""Tables for satisfaction surveys after a case closes (#7)."""

from __future__ import annotations
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0006_alerts')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='Survey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(db_index=True, max_length=32)),
                ('round', fields.IntField(default=0)),
                ('channel', fields.CharField(max_length=32)),
                ('reporter', fields.CharField(max_length=128)),
                ('lang', fields.CharField(default='zh_CN', max_length=8)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=12)),
                ('grid_code', fields.CharField(null=True, max_length=20)),
                ('category_code', fields.CharField(null=True, max_length=16)),
                ('department', fields.CharField(null=True, max_length=64)),
                ('assignee_user_id', fields.IntField(null=True)),
                ('month', fields.CharField(max_length=7)),
                ('closed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('via', fields.CharField(null=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'surveys', 'app': 'gridline', 'unique_together': (('case_no', 'round', 'channel', 'reporter'),), 'pk_attr': 'id', 'table_description': 'One resident asked about one closing: pending, answered or withdrawn (the case was reopened).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyEffect',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(max_length=32)),
                ('kind', fields.CharField(max_length=12)),
                ('round', fields.IntField()),
                ('channel', fields.CharField(max_length=32)),
                ('reporter', fields.CharField(max_length=128)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('target', fields.CharField(null=True, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'survey_effects', 'app': 'gridline', 'unique_together': (('case_no', 'kind'),), 'pk_attr': 'id', 'table_description': 'What an unhappy answer did to a case: one reopen, then one escalation, never more (unique per case).'},
            bases=['Model'],
        ),
    ]
