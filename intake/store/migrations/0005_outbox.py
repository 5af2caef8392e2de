from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0004_classifier')]

    initial = False

    operations: list[ops.Operation] = [
    ]
