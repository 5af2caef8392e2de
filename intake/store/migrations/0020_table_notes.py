"""The table notes of two models whose docstrings changed after their tables were made (no schema change).

Without it ``makemigrations`` keeps proposing these two operations, which hides a real drift among them.
"""

from __future__ import annotations

from tortoise import migrations
from tortoise.migrations import operations as ops

_CODES = "A one-time code for a staff user's first sign-in on a new phone (``gridline worker code``), kept as its"
_MEDIA = "A photo stored on disk, re-encoded without metadata: a resident's (mini-program, or a 公众号 photo"


class Migration(migrations.Migration):
    dependencies = [('gridline', '0019_wf_tasks')]

    initial = False

    operations: list[ops.Operation] = [
        ops.AlterModelOptions(name="LoginCode", options={
            "table": "worker_login_codes", "app": "gridline", "pk_attr": "id", "table_description": _CODES}),
        ops.AlterModelOptions(name="Media", options={
            "table": "mp_media", "app": "gridline", "pk_attr": "id", "table_description": _MEDIA}),
    ]
