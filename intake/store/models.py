"""Tortoise ORM models: the persistent shape of the domain.

Only ``intake.store`` touches these; the rest of the domain works with the
repository functions and plain dataclasses.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Region(Model):
    """A grid cell at any level, ``geometry`` is GeoJSON in WGS-84."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=20, unique=True)
    level = fields.CharField(max_length=16)
    name = fields.CharField(max_length=100)
    parent_code = fields.CharField(max_length=20, null=True, db_index=True)
    geometry: dict[str, Any] = fields.JSONField()
    group_chat = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "regions"


class Place(Model):
    """A gazetteer entry: street, community, road or landmark name pointing at a cell."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=16)
    code = fields.CharField(max_length=20)
    aliases: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "places"


class Department(Model):
    """A line department (条线) at district or street level."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    line = fields.CharField(max_length=40, db_index=True)
    name = fields.CharField(max_length=100)
    region_code = fields.CharField(max_length=20)
    email = fields.CharField(max_length=200, null=True)
    wecom_group = fields.CharField(max_length=200, null=True)  # the WeCom group robot key or chat id
    active = fields.BooleanField(default=True, db_default=True)

    class Meta:
        table = "departments"


class User(Model):
    """A staff member (only the SHA-256 of the API token is stored)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    department_code = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=32, null=True)
    active = fields.BooleanField(default=True)
    origin = fields.CharField(max_length=16, default="manual")
    created_at = fields.DatetimeField(auto_now_add=True)
    wecom_userid = fields.CharField(max_length=64, null=True)
    # Duty: a worker on leave hands their grids to ``substitute_id`` (see intake.org.users.worker_for).
    on_leave = fields.BooleanField(default=False, db_default=False)
    substitute_id = fields.IntField(null=True)

    class Meta:
        table = "users"


class UserGrid(Model):
    """Which grids a user answers for (a worker: responsibility grids, a dispatcher: a street)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("gridline.User", related_name="grid_links")
    grid_code = fields.CharField(max_length=20, db_index=True)

    class Meta:
        table = "user_grids"
        unique_together = (("user", "grid_code"),)


class TaxonomyVersion(Model):
    """One published state of the taxonomy (every change makes a new version)."""

    version = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    actor = fields.CharField(max_length=100)
    note = fields.TextField()

    class Meta:
        table = "taxonomy_versions"


class CategoryRow(Model):
    """The current state of one category (its history is in ``TaxonomyChange``)."""

    code = fields.CharField(max_length=16, primary_key=True)
    data: dict[str, Any] = fields.JSONField()
    retired = fields.BooleanField(default=False)
    version = fields.IntField()

    class Meta:
        table = "categories"


class TaxonomyChange(Model):
    id = fields.IntField(primary_key=True)
    version = fields.IntField(db_index=True)
    code = fields.CharField(max_length=16)
    op = fields.CharField(max_length=16)
    before: dict[str, Any] | None = fields.JSONField(null=True)
    after: dict[str, Any] | None = fields.JSONField(null=True)

    class Meta:
        table = "taxonomy_changes"


class Case(Model):
    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, unique=True)
    status = fields.CharField(max_length=16, db_index=True)
    resume_status = fields.CharField(max_length=16, null=True)
    channel = fields.CharField(max_length=32)
    reporter = fields.CharField(max_length=128, db_index=True)
    description = fields.TextField()
    address = fields.CharField(max_length=300, null=True)
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    grid_code = fields.CharField(max_length=20, null=True, db_index=True)
    category_code = fields.CharField(max_length=16, null=True, db_index=True)
    taxonomy_version = fields.IntField()
    confidence = fields.FloatField(default=0.0)
    classifier = fields.CharField(max_length=40)
    severity = fields.CharField(max_length=8)
    limit_hours = fields.FloatField()
    photos: list[str] = fields.JSONField(default=list)
    assignee_user_id = fields.IntField(null=True, db_index=True)
    assignee_department = fields.CharField(max_length=64, null=True)
    opened_at = fields.DatetimeField()
    deadline_at = fields.DatetimeField(db_index=True)
    closed_at = fields.DatetimeField(null=True)
    escalation_level = fields.IntField(default=0)
    merged_into = fields.CharField(max_length=32, null=True)
    reopen_count = fields.IntField(default=0)
    extension_request: dict[str, Any] | None = fields.JSONField(null=True)
    suspended_at = fields.DatetimeField(null=True)
    last_seq = fields.IntField(default=0)
    last_hash = fields.CharField(max_length=64)
    updated_at = fields.DatetimeField()
    # Set by the mini-program: staff views hide the reporter and no satisfaction survey is sent.
    anonymous = fields.BooleanField(default=False, db_default=False)
    # 核实 / 核查 as tasks (intake.cases.tasks): who took 处置 (never the checker), the open task and its holder.
    handler_user_id = fields.IntField(null=True)
    task_kind = fields.CharField(max_length=16, null=True)  # verify | check | spot_check
    task_user_id = fields.IntField(null=True, db_index=True)
    # null on rows older than the column (read both through ``or []``)
    position_flags: list[dict[str, Any]] | None = fields.JSONField(null=True)  # steps taken far from the case point
    assists: list[dict[str, Any]] | None = fields.JSONField(null=True)  # 协办 sub-tasks (intake.cases.assists)
    # " department:<code> worker:<id> ": the units with a pending or answered sub-task, for list filters
    assist_units = fields.CharField(max_length=1000, null=True)
    # When the retention job or an erasure request removed the resident's personal data (PIPL).
    anonymised_at = fields.DatetimeField(null=True)

    class Meta:
        table = "cases"


class CoReporter(Model):
    """A resident who seconded (附议) a case, or whose report was merged into it."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, db_index=True)
    channel = fields.CharField(max_length=32)
    reporter = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()

    class Meta:
        table = "co_reporters"
        unique_together = (("case_no", "channel", "reporter"),)


class CaseEvent(Model):
    """Append-only, hash-chained log (database triggers refuse UPDATE and DELETE)."""

    id = fields.BigIntField(primary_key=True)
    case_no = fields.CharField(max_length=32)
    seq = fields.IntField()
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=128)
    role = fields.CharField(max_length=16)
    at = fields.DatetimeField()
    note = fields.TextField(null=True)
    attachments: list[str] = fields.JSONField(default=list)
    data: dict[str, Any] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "case_events"
        unique_together = (("case_no", "seq"),)


class Supervision(Model):
    """A 督办 record: raised when a case runs over its deadline, and at each escalation."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, db_index=True)
    level = fields.IntField()
    target_region = fields.CharField(max_length=20, null=True)
    created_at = fields.DatetimeField()
    deadline_at = fields.DatetimeField()
    reason = fields.CharField(max_length=200)

    class Meta:
        table = "supervisions"
        unique_together = (("case_no", "level", "deadline_at"),)


class KvEntry(Model):
    """The shared key-value store's fallback while Redis is unreachable (``bot.storage.database``)."""

    key = fields.CharField(max_length=255, primary_key=True)
    value = fields.TextField()
    expires_at = fields.FloatField(null=True, db_index=True)  # epoch seconds: every process reads one clock

    class Meta:
        table = "kv_entries"


class CaseCounter(Model):
    """Per district and day, the last serial handed out for case numbers."""

    id = fields.IntField(primary_key=True)
    district = fields.CharField(max_length=6)
    day = fields.CharField(max_length=8)
    n = fields.IntField(default=0)

    class Meta:
        table = "case_counters"
        unique_together = (("district", "day"),)


class Resident(Model):
    """A resident known to a channel (a 公众号 openid, a mini-program user): language, settings, home grid."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=128)
    lang = fields.CharField(max_length=8, default="zh_CN")
    auto_submit = fields.BooleanField(default=False)
    subscribed = fields.BooleanField(default=True)
    home_grid = fields.CharField(max_length=20, null=True, db_index=True)
    location_allowed = fields.BooleanField(default=False)
    last_lat = fields.FloatField(null=True)
    last_lng = fields.FloatField(null=True)
    last_location_at = fields.DatetimeField(null=True)
    last_seen_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A hint set when the outbox holds a message for this resident (no way to reach them then):
    # their next message reads it with the same statement that stores the message, so the
    # common case — nothing held — costs no outbox query.
    outbox_held = fields.BooleanField(default=False, db_default=False)  # existing rows: none held
    # The resident asked for their data to be deleted: cases still open are erased when they end.
    erase_requested_at = fields.DatetimeField(null=True)
    # 退订 / 取消预警: no alerts below red (a red warning is about lives; it still goes, and the reply says so).
    alerts_muted = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "residents"
        unique_together = (("channel", "external_id"),)


class PersonalDataRead(Model):
    """A staff member read a resident's personal data: who, which case, why (the PIPL access log, append-only)."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    user_id = fields.IntField(null=True, db_index=True)
    actor = fields.CharField(max_length=64)
    role = fields.CharField(max_length=16)
    case_no = fields.CharField(max_length=32, db_index=True)
    purpose = fields.CharField(max_length=64)
    fields_read: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "personal_data_reads"


class InboundMessage(Model):
    """Everything a resident sent, stored before gridline answers (nothing is lost if a reply fails)."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=128, db_index=True)
    dedup_key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharField(max_length=16)
    content = fields.TextField(null=True)
    media_id = fields.CharField(max_length=200, null=True)
    pic_url = fields.CharField(max_length=500, null=True)
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    received_at = fields.DatetimeField()
    case_no = fields.CharField(max_length=32, null=True)
    # When its turn ended (answered, pushed, or nothing to say): the recovery walk finds the turns a dead
    # process left half-done by this, not by Redis's claims, which an empty restart loses (#18). Indexed
    # where NULL, with received_at (migration 0027: a partial index the model cannot declare).
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbound_messages"


class MpAccount(Model):
    """A mini-program user (openid), with the masked phone number when they bound one."""

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=128, unique=True)
    unionid = fields.CharField(max_length=128, null=True)
    phone_masked = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "mp_accounts"


class MpSession(Model):
    """A mini-program login: only the SHA-256 of the bearer token, the WeChat session_key encrypted."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    openid = fields.CharField(max_length=128, db_index=True)
    session_key_enc = fields.TextField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "mp_sessions"


class Media(Model):
    """A photo stored on disk, re-encoded without metadata: a resident's (mini-program, or a 公众号 photo
    fetched from WeChat: ``ref`` is its ``wechat-media:<MediaId>``) or a staff member's (watermarked copy;
    ``original_sha256`` and the EXIF position and time read before stripping). ``state``: ``stored``;
    ``pending`` (a 公众号 photo not fetched yet, ``path`` empty; a staff photo not watermarked yet, ``path`` its
    original under ``pending/``, never served); ``lost`` (not fetched within its lifetime, or not watermarkable)."""

    id = fields.IntField(primary_key=True)
    media_id = fields.CharField(max_length=40, unique=True)
    owner = fields.CharField(max_length=128, db_index=True)
    mime = fields.CharField(max_length=32)
    size = fields.IntField()
    width = fields.IntField()
    height = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    path = fields.CharField(max_length=200)
    case_no = fields.CharField(max_length=32, null=True, db_index=True)
    created_at = fields.DatetimeField()
    source = fields.CharField(max_length=16, default="mp", db_default="mp")  # mp / wechat / staff
    state = fields.CharField(max_length=8, default="stored", db_default="stored")
    ref = fields.CharField(max_length=200, null=True, db_index=True)
    original_sha256 = fields.CharField(max_length=64, null=True)
    taken_at = fields.DatetimeField(null=True)
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    tries = fields.IntField(default=0, db_default=0)
    next_try_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, null=True)
    caption = fields.CharField(max_length=160, null=True)  # a pending staff photo's watermark, fixed at upload

    class Meta:
        table = "mp_media"


class SubscriptionCredit(Model):
    """One-time subscription messages a resident allowed (each accept is one message gridline may send)."""

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=128)
    template_id = fields.CharField(max_length=64)
    credits = fields.IntField(default=0)
    last_answer = fields.CharField(max_length=16)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "mp_subscription_credits"
        unique_together = (("openid", "template_id"),)


class AlertPlace(Model):
    """A place a resident wants alerts for (home, work), with the grid cell it falls in (WGS-84)."""

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=128, db_index=True)
    kind = fields.CharField(max_length=8)
    label = fields.CharField(max_length=50, null=True)
    lat = fields.FloatField()
    lng = fields.FloatField()
    grid_code = fields.CharField(max_length=20, null=True, db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "mp_alert_places"
        unique_together = (("openid", "kind"),)


class Rating(Model):
    """The satisfaction answer of the reporter for one closing of a case (1 satisfied, 2 fairly, 3 not)."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, db_index=True)
    channel = fields.CharField(max_length=32)
    reporter = fields.CharField(max_length=128)
    round = fields.IntField(default=0)
    score = fields.IntField()
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "ratings"
        unique_together = (("case_no", "channel", "reporter", "round"),)


class ApiClient(Model):
    """A system filing reports through Open311 (only the SHA-256 of its API key is stored)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=24, unique=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    # Read scope (bot/open311/scopes.py): residents' text and exact places only when private;
    # the channels whose cases it reads (None: all).
    private = fields.BooleanField(default=False, db_default=False)
    channels: list[str] | None = fields.JSONField(null=True)

    class Meta:
        table = "api_clients"


class Open311Submission(Model):
    """The submitter fields of a request filed through Open311, kept for staff and never published."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=32, unique=True)
    client = fields.CharField(max_length=24)
    contact: dict[str, Any] = fields.JSONField(default=dict)
    attributes: dict[str, Any] = fields.JSONField(default=dict)
    media_url = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "open311_submissions"


class LoginCode(Model):
    """A one-time code for a staff user's first sign-in on a new phone (``gridline worker code``), kept as its
    SHA-256; short-lived and good for one sign-in."""

    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    user_id = fields.IntField(db_index=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "worker_login_codes"
