"""Tables for weather / typhoon alerts, their targets and the grid workers' acknowledgements (#7)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Alert(Model):
    """One warning as gridline tracks it: a CAP alert and its updates, or an admin's composed alert."""

    id = fields.IntField(primary_key=True)
    identifier = fields.CharField(max_length=200, unique=True)
    sender = fields.CharField(max_length=200)
    source = fields.CharField(max_length=16)
    status = fields.CharField(max_length=16, default="active", db_index=True)
    version = fields.IntField(default=1)
    signal_code = fields.CharField(max_length=2, null=True)
    colour = fields.CharField(max_length=8)
    event = fields.CharField(max_length=100)
    headline = fields.CharField(max_length=300)
    message = fields.TextField()
    guidance = fields.TextField(null=True)
    # What the grid workers are asked to do: on their group cards only, never shown to residents.
    instructions = fields.TextField(null=True)
    area: dict[str, Any] = fields.JSONField(default=dict)
    sent_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    release_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    cells_count = fields.IntField(default=0)
    residents_count = fields.IntField(default=0)
    # The grid prefixes its author covered (None: the whole city); see intake.alerts.scope.
    author_scope: list[str] | None = fields.JSONField(null=True)

    class Meta:
        table = "alerts"


class AlertMessage(Model):
    """Every message identifier seen for an alert (the first Alert, its Updates, its Cancel): dedupe and references."""

    id = fields.IntField(primary_key=True)
    alert_id = fields.IntField(db_index=True)
    identifier = fields.CharField(max_length=200, unique=True)
    msg_type = fields.CharField(max_length=8)
    version = fields.IntField()
    received_at = fields.DatetimeField()

    class Meta:
        table = "alert_messages"


class AlertCell(Model):
    """A leaf grid cell the alert's current area intersects, with its street (the escalation target)."""

    id = fields.IntField(primary_key=True)
    alert_id = fields.IntField()
    grid_code = fields.CharField(max_length=20)
    street_code = fields.CharField(max_length=20)

    class Meta:
        table = "alert_cells"
        unique_together = (("alert_id", "grid_code"),)


class AlertTarget(Model):
    """A resident the alert's current version was addressed to, counted in one cell."""

    id = fields.BigIntField(primary_key=True)
    alert_id = fields.IntField()
    channel = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=128)
    grid_code = fields.CharField(max_length=20)
    version = fields.IntField()

    class Meta:
        table = "alert_targets"
        unique_together = (("alert_id", "channel", "external_id"),)


class AlertAck(Model):
    """A grid worker's answer to the group card: households told, or a call for support."""

    id = fields.IntField(primary_key=True)
    alert_id = fields.IntField(db_index=True)
    grid_code = fields.CharField(max_length=20)
    user_id = fields.IntField()
    households = fields.IntField(null=True)
    support = fields.BooleanField(default=False)
    note = fields.CharField(max_length=500, null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "alert_acks"
        unique_together = (("alert_id", "grid_code", "user_id"),)


class AlertEscalation(Model):
    """Cells of one street still silent after the configured delay, escalated once to the street."""

    id = fields.IntField(primary_key=True)
    alert_id = fields.IntField()
    street_code = fields.CharField(max_length=20)
    cells: list[str] = fields.JSONField(default=list)
    at = fields.DatetimeField()

    class Meta:
        table = "alert_escalations"
        unique_together = (("alert_id", "street_code"),)
