"""Tables for the classifier's model registry, labels, keyword rules and triage (#5)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ModelVersion(Model):
    """One trained classifier: where it lives, what it learnt from, how good it was, whether it serves."""

    id = fields.IntField(primary_key=True)
    backend = fields.CharField(max_length=16)
    name = fields.CharField(max_length=64)
    directory = fields.CharField(max_length=500)
    data_sha256 = fields.CharField(max_length=64)
    data_count = fields.IntField()
    data_source: dict[str, Any] = fields.JSONField(default=dict)
    taxonomy_version = fields.IntField()
    metrics: dict[str, Any] = fields.JSONField(default=dict)
    thresholds: dict[str, float] = fields.JSONField(default=dict)
    target_precision = fields.FloatField(default=0.95)
    status = fields.CharField(max_length=16, db_index=True)
    previous_id = fields.IntField(null=True)
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()
    activated_by = fields.CharField(max_length=128, null=True)
    activated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "nlp_model_version"


class ClassifierRevision(Model):
    """Append-only counter: every change to what serves (activation, shadow, rules) adds a row.

    Processes poll its highest id and reload when it moved, as they do for the taxonomy.
    """

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=128)
    note = fields.CharField(max_length=200)

    class Meta:
        table = "nlp_revision"


class Label(Model):
    """A (text, category) pair a person vouched for: a closed case, a correction, a triage decision, an import."""

    id = fields.IntField(primary_key=True)
    text = fields.TextField()
    code = fields.CharField(max_length=16, db_index=True)
    source = fields.CharField(max_length=16, db_index=True)
    case_no = fields.CharField(max_length=32, null=True, db_index=True)
    actor = fields.CharField(max_length=128)
    taxonomy_version = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "nlp_label"


class KeywordRule(Model):
    """An admin's phrase that decides a category at once, before any model."""

    id = fields.IntField(primary_key=True)
    phrase = fields.CharField(max_length=50)
    code = fields.CharField(max_length=16)
    priority = fields.IntField(default=1)
    expires_at = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    note = fields.CharField(max_length=200, default="")
    created_by = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()

    class Meta:
        table = "nlp_keyword_rule"


class TriageItem(Model):
    """A case held back from auto-dispatch because the classifier was not sure enough."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, unique=True)
    predicted = fields.CharField(max_length=16, null=True)
    confidence = fields.FloatField()
    threshold = fields.FloatField()
    model = fields.CharField(max_length=64)
    top: list[list[Any]] = fields.JSONField(default=list)
    status = fields.CharField(max_length=16, db_index=True)
    decided_code = fields.CharField(max_length=16, null=True)
    decided_by = fields.CharField(max_length=128, null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "nlp_triage"


class ShadowPrediction(Model):
    """What the active and the shadow model each said about one live case."""

    id = fields.IntField(primary_key=True)
    version_id = fields.IntField(db_index=True)
    case_id = fields.IntField()
    case_no = fields.CharField(max_length=32, db_index=True)
    active_model = fields.CharField(max_length=64)
    active_code = fields.CharField(max_length=16, null=True)
    active_confidence = fields.FloatField()
    shadow_code = fields.CharField(max_length=16, null=True)
    shadow_confidence = fields.FloatField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "nlp_shadow"
        unique_together = (("version_id", "case_id"),)


class TrainingJob(Model):
    """A background retrain: its progress for the admin page and the version it produced."""

    id = fields.IntField(primary_key=True)
    status = fields.CharField(max_length=16, db_index=True)
    stage = fields.CharField(max_length=100, default="")
    progress = fields.FloatField(default=0.0)
    params: dict[str, Any] = fields.JSONField(default=dict)
    error = fields.TextField(null=True)
    version_id = fields.IntField(null=True)
    created_by = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "nlp_training_job"
