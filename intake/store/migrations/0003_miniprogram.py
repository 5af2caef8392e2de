from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0002_append_only_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlertPlace',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(db_index=True, max_length=128)),
                ('kind', fields.CharField(max_length=8)),
                ('label', fields.CharField(null=True, max_length=50)),
                ('lat', fields.FloatField()),
                ('lng', fields.FloatField()),
                ('grid_code', fields.CharField(null=True, db_index=True, max_length=20)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mp_alert_places', 'app': 'gridline', 'unique_together': (('openid', 'kind'),), 'pk_attr': 'id', 'table_description': 'A place a resident wants alerts for (home, work), with the grid cell it falls in (WGS-84).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiClient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=24)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_clients', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A system filing reports through Open311 (only the SHA-256 of its API key is stored).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Media',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('media_id', fields.CharField(unique=True, max_length=40)),
                ('owner', fields.CharField(db_index=True, max_length=128)),
                ('mime', fields.CharField(max_length=32)),
                ('size', fields.IntField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('path', fields.CharField(max_length=200)),
                ('case_no', fields.CharField(null=True, db_index=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mp_media', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A photo uploaded through the mini-program, re-encoded without metadata, stored on disk.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MpAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, max_length=128)),
                ('unionid', fields.CharField(null=True, max_length=128)),
                ('phone_masked', fields.CharField(null=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mp_accounts', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A mini-program user (openid), with the masked phone number when they bound one.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MpSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('openid', fields.CharField(db_index=True, max_length=128)),
                ('session_key_enc', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mp_sessions', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A mini-program login: only the SHA-256 of the bearer token, the WeChat session_key encrypted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Open311Submission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(unique=True, max_length=32)),
                ('client', fields.CharField(max_length=24)),
                ('contact', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('media_url', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'open311_submissions', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'The submitter fields of a request filed through Open311, kept for staff and never published.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(db_index=True, max_length=32)),
                ('channel', fields.CharField(max_length=32)),
                ('reporter', fields.CharField(max_length=128)),
                ('round', fields.IntField(default=0)),
                ('score', fields.IntField()),
                ('comment', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ratings', 'app': 'gridline', 'unique_together': (('case_no', 'channel', 'reporter', 'round'),), 'pk_attr': 'id', 'table_description': 'The satisfaction answer of the reporter for one closing of a case (1 satisfied, 2 fairly, 3 not).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriptionCredit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(max_length=128)),
                ('template_id', fields.CharField(max_length=64)),
                ('credits', fields.IntField(default=0)),
                ('last_answer', fields.CharField(max_length=16)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mp_subscription_credits', 'app': 'gridline', 'unique_together': (('openid', 'template_id'),), 'pk_attr': 'id', 'table_description': 'One-time subscription messages a resident allowed (each accept is one message gridline may send).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Case',
            name='anonymous',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
