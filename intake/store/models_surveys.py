"""Tables for satisfaction surveys after a case closes (#7).

A ``Survey`` is one question to one resident about one closing (``round`` = the
case's reopen count when it closed). The answer itself is a ``Rating`` row (the
mini-program wrote those before surveys existed), so both answer paths share it.
Where and by whom the case was handled is copied at closing time: statistics
then group one table without following later reassignments.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Survey(Model):
    """One resident asked about one closing: pending, answered or withdrawn (the case was reopened)."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, db_index=True)
    round = fields.IntField(default=0)
    channel = fields.CharField(max_length=32)
    reporter = fields.CharField(max_length=128)
    lang = fields.CharField(max_length=8, default="zh_CN")
    status = fields.CharField(max_length=12, default="pending", db_index=True)
    grid_code = fields.CharField(max_length=20, null=True)
    category_code = fields.CharField(max_length=16, null=True)
    department = fields.CharField(max_length=64, null=True)
    assignee_user_id = fields.IntField(null=True)
    month = fields.CharField(max_length=7)
    closed_at = fields.DatetimeField()
    due_at = fields.DatetimeField(db_index=True)
    expires_at = fields.DatetimeField()
    reminded_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    via = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "surveys"
        unique_together = (("case_no", "round", "channel", "reporter"),)


class SurveyEffect(Model):
    """What an unhappy answer did to a case: one reopen, then one escalation, never more (unique per case)."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32)
    kind = fields.CharField(max_length=12)
    round = fields.IntField()
    channel = fields.CharField(max_length=32)
    reporter = fields.CharField(max_length=128)
    comment = fields.TextField(null=True)
    target = fields.CharField(max_length=20, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "survey_effects"
        unique_together = (("case_no", "kind"),)
