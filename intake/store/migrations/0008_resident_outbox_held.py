from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0007_surveys')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Resident',
            name='outbox_held',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
