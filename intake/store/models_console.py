"""The staff console's sign-in secret (#14): one argon2id password hash per staff user, and the sign-in audit.

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


class StaffAudit(Model):
    """Who signed in to a staff page, failed to, signed out or had a password set (#14): append-only.

    ``account`` is what was typed (a failed try may name no user); never the password.
    """

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    event = fields.CharField(max_length=24)  # sign_in, sign_in_failed, sign_in_locked, sign_out, password_set
    account = fields.CharField(max_length=20)
    user_id = fields.IntField(null=True, db_index=True)
    actor = fields.CharField(max_length=128)  # who did it: the user themself, or the admin who reset
    ip = fields.CharField(max_length=64)
    detail = fields.CharField(max_length=200, default="")

    class Meta:
        table = "staff_audit"
