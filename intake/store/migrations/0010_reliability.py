from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0009_workflow')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Alert',
            name='author_scope',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='ApiClient',
            name='private',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ApiClient',
            name='channels',
            field=fields.JSONField(null=True),
        ),
    ]
