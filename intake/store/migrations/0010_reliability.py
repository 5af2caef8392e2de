from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0008_resident_outbox_held')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Alert',
            name='author_scope',
            field=fields.JSONField(null=True),
        ),
    ]
