from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0005_outbox')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('identifier', fields.CharField(unique=True, max_length=200)),
                ('sender', fields.CharField(max_length=200)),
                ('source', fields.CharField(max_length=16)),
                ('status', fields.CharField(default='active', db_index=True, max_length=16)),
                ('version', fields.IntField(default=1)),
                ('signal_code', fields.CharField(null=True, max_length=2)),
                ('colour', fields.CharField(max_length=8)),
                ('event', fields.CharField(max_length=100)),
                ('headline', fields.CharField(max_length=300)),
                ('message', fields.TextField(unique=False)),
                ('guidance', fields.TextField(null=True, unique=False)),
                ('area', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('release_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cells_count', fields.IntField(default=0)),
                ('residents_count', fields.IntField(default=0)),
            ],
            options={'table': 'alerts', 'app': 'gridline', 'pk_attr': 'id', 'table_description': "One warning as gridline tracks it: a CAP alert and its updates, or an admin's composed alert."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertAck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.IntField(db_index=True)),
                ('grid_code', fields.CharField(max_length=20)),
                ('user_id', fields.IntField()),
                ('households', fields.IntField(null=True)),
                ('support', fields.BooleanField(default=False)),
                ('note', fields.CharField(null=True, max_length=500)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_acks', 'app': 'gridline', 'unique_together': (('alert_id', 'grid_code', 'user_id'),), 'pk_attr': 'id', 'table_description': "A grid worker's answer to the group card: households told, or a call for support."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertCell',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.IntField()),
                ('grid_code', fields.CharField(max_length=20)),
                ('street_code', fields.CharField(max_length=20)),
            ],
            options={'table': 'alert_cells', 'app': 'gridline', 'unique_together': (('alert_id', 'grid_code'),), 'pk_attr': 'id', 'table_description': "A leaf grid cell the alert's current area intersects, with its street (the escalation target)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertEscalation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.IntField()),
                ('street_code', fields.CharField(max_length=20)),
                ('cells', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_escalations', 'app': 'gridline', 'unique_together': (('alert_id', 'street_code'),), 'pk_attr': 'id', 'table_description': 'Cells of one street still silent after the configured delay, escalated once to the street.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.IntField(db_index=True)),
                ('identifier', fields.CharField(unique=True, max_length=200)),
                ('msg_type', fields.CharField(max_length=8)),
                ('version', fields.IntField()),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_messages', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'Every message identifier seen for an alert (the first Alert, its Updates, its Cancel): dedupe and references.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertTarget',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.IntField()),
                ('channel', fields.CharField(max_length=32)),
                ('external_id', fields.CharField(max_length=128)),
                ('grid_code', fields.CharField(max_length=20)),
                ('version', fields.IntField()),
            ],
            options={'table': 'alert_targets', 'app': 'gridline', 'unique_together': (('alert_id', 'channel', 'external_id'),), 'pk_attr': 'id', 'table_description': "A resident the alert's current version was addressed to, counted in one cell."},
            bases=['Model'],
        ),
    ]
