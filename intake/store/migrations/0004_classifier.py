from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gridline', '0003_miniprogram')]

    initial = False

    operations: list[ops.Operation] = [
    ]
