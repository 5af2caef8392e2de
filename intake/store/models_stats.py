"""The statistics' daily rollup (:mod:`intake.stats.rollup`): per local day of receipt and the case columns
the figures group and scope by, the counts and sums of :mod:`intake.stats.cases`, and the response and
handling times themselves because a p90 cannot be summed.

``stats_days`` says which days the rollup holds; ``stats_dirty`` is written by database triggers on every
event and on every change of a case column the figures read, so a day with a changed case is read live
until the job rebuilds it.
"""

from __future__ import annotations

from datetime import date

from tortoise import fields
from tortoise.models import Model


class StatsDaily(Model):
    id = fields.BigIntField(primary_key=True)
    day: date = fields.DateField(db_index=True)  # the local (Asia/Shanghai) day of the ``open`` event
    # Named as on ``cases`` so that one scope filter (intake.cases.scope.read_filter) reads both.
    grid_code = fields.CharField(max_length=20, null=True)
    assignee_user_id = fields.IntField(null=True)
    assignee_department = fields.CharField(max_length=64, null=True)
    task_user_id = fields.IntField(null=True)
    category_code = fields.CharField(max_length=16, null=True)
    received = fields.IntField()
    registered = fields.IntField()
    closed = fields.IntField()
    on_time = fields.IntField()
    response_n = fields.IntField()
    response_sum = fields.FloatField()
    handling_n = fields.IntField()
    handling_sum = fields.FloatField()
    supervised = fields.IntField()
    reopened = fields.IntField()
    ever_closed = fields.IntField()
    voided = fields.IntField()
    # The times themselves, for the p90s: the one value of a row that has one (most rows: a day has few cases
    # in one cell), else all of them as text, comma-separated (read back by unnest / json_each, slower).
    response_one = fields.FloatField(null=True)
    handling_one = fields.FloatField(null=True)
    response_values = fields.TextField()
    handling_values = fields.TextField()

    class Meta:
        table = "stats_daily"


class StatsDay(Model):
    day: date = fields.DateField(primary_key=True)
    built_at = fields.DatetimeField()

    class Meta:
        table = "stats_days"


class StatsDirty(Model):
    id = fields.BigIntField(primary_key=True)
    case_no = fields.CharField(max_length=32)

    class Meta:
        table = "stats_dirty"
