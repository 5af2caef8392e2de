"""Tables of the grid centre's workflow (#19): audit checkpoints, upstream Open311 requests, transfers.

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


class UpstreamRequest(Model):
    """A case pushed to the upstream Open311 platform: its id there and the last status read back."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, unique=True)
    service_code = fields.CharField(max_length=64)
    service_request_id = fields.CharField(max_length=64, null=True, db_index=True)
    token = fields.CharField(max_length=64, null=True)  # until the platform names the request
    status = fields.CharField(max_length=16, default="submitted")  # submitted | open | closed
    status_notes = fields.TextField(null=True)
    agency = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    polled_at = fields.DatetimeField(null=True, db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "upstream_requests"


class CaseTransfer(Model):
    """A case passed on as 不属于本辖区: moved into a region served here, or on record for one outside."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, db_index=True)
    from_grid = fields.CharField(max_length=20, null=True)
    to_code = fields.CharField(max_length=20, db_index=True)  # the division code it went to
    moved = fields.BooleanField()  # True: the case is open in that region's queue here
    by = fields.CharField(max_length=64)
    note = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "case_transfers"
