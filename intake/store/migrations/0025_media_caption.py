"""Staff photos watermarked after the answer (#13): a pending staff photo keeps the watermark's text, fixed at
upload (time, case number, place: the device's position is known only then), until the background step
draws it."""

from __future__ import annotations

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('gridline', '0024_assist_units')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AddField(model_name="Media", name="caption", field=fields.CharField(null=True, max_length=160)),
    ]
