"""Tables of the grid centre's workflow (#19): the audit checkpoints.

A checkpoint is a hash over every case's chain head at one moment, chained to the
previous checkpoint. The table is append-only (database triggers), so history rewritten
after a checkpoint no longer matches it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditCheckpoint(Model):
    """One daily witness of all case chain heads (append-only)."""

    id = fields.IntField(primary_key=True)
    day = fields.CharField(max_length=10, unique=True)  # the Shanghai date it covers, YYYY-MM-DD
    at = fields.DatetimeField()
    cases = fields.IntField()
    cutoff = fields.DatetimeField()  # it covers every event at or before this instant
    heads_hash = fields.CharField(max_length=64)  # SHA-256 over "case_no seq hash" lines, in case id order
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_checkpoints"
