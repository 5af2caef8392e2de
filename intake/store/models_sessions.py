"""Page sessions (worker and console) as an admin sees them: who, since when, last seen, on what device.

The session itself (its CSRF token, the idle timeout) lives in the key-value store, which cannot list
its keys; this table is the list. A row names the session by the SHA-256 of its cookie (the same digest
the store keys it under), never the cookie, so revoking needs no secret and a dump reveals none.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PageSession(Model):
    id = fields.IntField(primary_key=True)
    digest = fields.CharField(max_length=64, unique=True)
    namespace = fields.CharField(max_length=16)  # "worker" | "console"
    user_id = fields.IntField(db_index=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)  # last seen + the idle timeout
    user_agent = fields.CharField(max_length=80)  # a summary ("WeCom · Android"), not the header
    ended_at = fields.DatetimeField(null=True)
    ended_by = fields.CharField(max_length=32, null=True)  # "logout", "revoked:<admin id>", "everywhere"

    class Meta:
        table = "page_sessions"
