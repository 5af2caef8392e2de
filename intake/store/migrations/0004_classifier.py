from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0003_miniprogram')]

    initial = False

    operations: list[ops.Operation] = [
        ops.CreateModel(
            name='ClassifierRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(max_length=128)),
                ('note', fields.CharField(max_length=200)),
            ],
            options={'table': 'nlp_revision', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'Append-only counter: every change to what serves (activation, shadow, rules) adds a row.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeywordRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phrase', fields.CharField(max_length=50)),
                ('code', fields.CharField(max_length=16)),
                ('priority', fields.IntField(default=1)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_by', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_keyword_rule', 'app': 'gridline', 'pk_attr': 'id', 'table_description': "An admin's phrase that decides a category at once, before any model."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Label',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.TextField(unique=False)),
                ('code', fields.CharField(db_index=True, max_length=16)),
                ('source', fields.CharField(db_index=True, max_length=16)),
                ('case_no', fields.CharField(null=True, db_index=True, max_length=32)),
                ('actor', fields.CharField(max_length=128)),
                ('taxonomy_version', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_label', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A (text, category) pair a person vouched for: a closed case, a correction, a triage decision, an import.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModelVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('backend', fields.CharField(max_length=16)),
                ('name', fields.CharField(max_length=64)),
                ('directory', fields.CharField(max_length=500)),
                ('data_sha256', fields.CharField(max_length=64)),
                ('data_count', fields.IntField()),
                ('data_source', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('taxonomy_version', fields.IntField()),
                ('metrics', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('thresholds', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('target_precision', fields.FloatField(default=0.95)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('previous_id', fields.IntField(null=True)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_by', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('activated_by', fields.CharField(null=True, max_length=128)),
                ('activated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_model_version', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'One trained classifier: where it lives, what it learnt from, how good it was, whether it serves.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShadowPrediction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version_id', fields.IntField(db_index=True)),
                ('case_id', fields.IntField()),
                ('case_no', fields.CharField(db_index=True, max_length=32)),
                ('active_model', fields.CharField(max_length=64)),
                ('active_code', fields.CharField(null=True, max_length=16)),
                ('active_confidence', fields.FloatField()),
                ('shadow_code', fields.CharField(null=True, max_length=16)),
                ('shadow_confidence', fields.FloatField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_shadow', 'app': 'gridline', 'unique_together': (('version_id', 'case_id'),), 'pk_attr': 'id', 'table_description': 'What the active and the shadow model each said about one live case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrainingJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('stage', fields.CharField(default='', max_length=100)),
                ('progress', fields.FloatField(default=0.0)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error', fields.TextField(null=True, unique=False)),
                ('version_id', fields.IntField(null=True)),
                ('created_by', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_training_job', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A background retrain: its progress for the admin page and the version it produced.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TriageItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_no', fields.CharField(unique=True, max_length=32)),
                ('predicted', fields.CharField(null=True, max_length=16)),
                ('confidence', fields.FloatField()),
                ('threshold', fields.FloatField()),
                ('model', fields.CharField(max_length=64)),
                ('top', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('decided_code', fields.CharField(null=True, max_length=16)),
                ('decided_by', fields.CharField(null=True, max_length=128)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nlp_triage', 'app': 'gridline', 'pk_attr': 'id', 'table_description': 'A case held back from auto-dispatch because the classifier was not sure enough.'},
            bases=['Model'],
        ),
    ]
