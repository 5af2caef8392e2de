"""The staff console's sign-in secret (#14): one argon2id password hash per staff user.

A table of its own rather than a column on ``User``: the hash is read only at sign-in, and
the user list (admin API, exports) never carries it by accident.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StaffPassword(Model):
    id = fields.IntField(primary_key=True)
    user_id = fields.IntField(unique=True)
    hash = fields.CharField(max_length=255)
    changed_at = fields.DatetimeField()

    class Meta:
        table = "staff_passwords"
