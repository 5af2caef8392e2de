"""Tables for the transactional outbox and its delivery attempts (#6).

A row is written in the same transaction as the change that caused it. Senders
move it through ``pending → sending → delivered`` (or ``retry``, ``held``,
``stopped``, ``dead``, ``withdrawn``); every try and every routing decision is an attempt row.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    """One message for one recipient, unique by its idempotency key."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharField(max_length=40)
    recipient_kind = fields.CharField(max_length=16)
    recipient_ref = fields.CharField(max_length=128, db_index=True)
    recipient_channel = fields.CharField(max_length=32, null=True)
    channel = fields.CharField(max_length=24, default="")
    address = fields.CharField(max_length=200, null=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    body: dict[str, Any] | None = fields.JSONField(null=True)
    status = fields.CharField(max_length=12, db_index=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    last_code = fields.IntField(null=True)
    next_attempt_at = fields.DatetimeField(db_index=True)
    lease_until = fields.DatetimeField(null=True)
    group = fields.CharField(max_length=64, null=True, db_index=True)
    case_no = fields.CharField(max_length=32, null=True, db_index=True)
    urgent = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "outbox"


class OutboxAttempt(Model):
    """One delivery try (``what`` = attempt) or one reach decision (``what`` = route) for a message."""

    id = fields.BigIntField(primary_key=True)
    message_id = fields.BigIntField(db_index=True)
    what = fields.CharField(max_length=8)
    channel = fields.CharField(max_length=24)
    outcome = fields.CharField(max_length=16)
    code = fields.IntField(null=True)
    detail = fields.TextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "outbox_attempts"


class GridGroup(Model):
    """The WeCom group robot (webhook key) of a grid cell, used for it and every cell below it without one."""

    id = fields.IntField(primary_key=True)
    grid_code = fields.CharField(max_length=20, unique=True)
    webhook_key = fields.CharField(max_length=100)
    updated_at = fields.DatetimeField()
    updated_by = fields.CharField(max_length=128)

    class Meta:
        table = "grid_groups"
