-- The schema the migrations in intake/store/migrations build, written by tools/schema_snapshot.py.
-- migration: 0001_initial
-- migration: 0002_append_only_events
-- migration: 0003_miniprogram
-- migration: 0004_classifier
-- migration: 0005_outbox
-- migration: 0006_alerts
-- migration: 0007_surveys
-- migration: 0008_resident_outbox_held
-- migration: 0009_workflow
-- migration: 0010_reliability
-- migration: 0011_console
-- migration: 0012_pipl
-- migration: 0013_kv_fallback
-- migration: 0014_alert_optout
-- migration: 0015_con_desk
-- migration: 0016_wk_photos
-- migration: 0017_wk_offline
-- migration: 0018_adm_alerts
-- migration: 0019_wf_tasks
-- migration: 0020_table_notes
-- migration: 0021_stats_rollup
-- migration: 0022_upstream
-- migration: 0023_transfers
-- migration: 0024_assist_units
-- migration: 0025_media_caption
-- migration: 0026_desk_open
-- migration: 0027_answered_at

CREATE TABLE "alert_acks" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "alert_id" INT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "user_id" INT NOT NULL,
    "households" INT,
    "support" INT NOT NULL,
    "note" VARCHAR(500),
    "at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_alert_acks_alert_i_93bed1" UNIQUE ("alert_id", "grid_code", "user_id")
);

CREATE TABLE "alert_cells" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "alert_id" INT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "street_code" VARCHAR(20) NOT NULL,
    CONSTRAINT "uid_alert_cells_alert_i_c556e5" UNIQUE ("alert_id", "grid_code")
);

CREATE TABLE "alert_escalations" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "alert_id" INT NOT NULL,
    "street_code" VARCHAR(20) NOT NULL,
    "cells" JSON NOT NULL,
    "at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_alert_escal_alert_i_ba1c0c" UNIQUE ("alert_id", "street_code")
);

CREATE TABLE "alert_messages" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "alert_id" INT NOT NULL,
    "identifier" VARCHAR(200) NOT NULL UNIQUE,
    "msg_type" VARCHAR(8) NOT NULL,
    "version" INT NOT NULL,
    "received_at" TIMESTAMP NOT NULL
);

CREATE TABLE "alert_targets" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "alert_id" INT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "version" INT NOT NULL,
    CONSTRAINT "uid_alert_targe_alert_i_9f58b4" UNIQUE ("alert_id", "channel", "external_id")
);

CREATE TABLE "alerts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "identifier" VARCHAR(200) NOT NULL UNIQUE,
    "sender" VARCHAR(200) NOT NULL,
    "source" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "version" INT NOT NULL,
    "signal_code" VARCHAR(2),
    "colour" VARCHAR(8) NOT NULL,
    "event" VARCHAR(100) NOT NULL,
    "headline" VARCHAR(300) NOT NULL,
    "message" TEXT NOT NULL,
    "guidance" TEXT,
    "area" JSON NOT NULL,
    "sent_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP,
    "release_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "cells_count" INT NOT NULL,
    "residents_count" INT NOT NULL
, "author_scope" JSON, "instructions" TEXT);

CREATE TABLE "api_clients" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(24) NOT NULL UNIQUE,
    "key_hash" VARCHAR(64) NOT NULL UNIQUE,
    "active" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
, "private" INT NOT NULL DEFAULT 0, "channels" JSON);

CREATE TABLE "audit_checkpoints" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "day" VARCHAR(10) NOT NULL UNIQUE,
    "at" TIMESTAMP NOT NULL,
    "cases" INT NOT NULL,
    "cutoff" TIMESTAMP NOT NULL,
    "heads_hash" VARCHAR(64) NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL
);

CREATE TABLE "case_counters" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "district" VARCHAR(6) NOT NULL,
    "day" VARCHAR(8) NOT NULL,
    "n" INT NOT NULL,
    CONSTRAINT "uid_case_counte_distric_be2ed6" UNIQUE ("district", "day")
);

CREATE TABLE "case_events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "seq" INT NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "from_status" VARCHAR(16),
    "to_status" VARCHAR(16) NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "note" TEXT,
    "attachments" JSON NOT NULL,
    "data" JSON NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    CONSTRAINT "uid_case_events_case_no_b7e976" UNIQUE ("case_no", "seq")
);

CREATE TABLE "case_transfers" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "from_grid" VARCHAR(20),
    "to_code" VARCHAR(20) NOT NULL,
    "moved" INT NOT NULL,
    "by" VARCHAR(64) NOT NULL,
    "note" TEXT,
    "at" TIMESTAMP NOT NULL
);

CREATE TABLE "cases" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "resume_status" VARCHAR(16),
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "description" TEXT NOT NULL,
    "address" VARCHAR(300),
    "lat" REAL,
    "lng" REAL,
    "grid_code" VARCHAR(20),
    "category_code" VARCHAR(16),
    "taxonomy_version" INT NOT NULL,
    "confidence" REAL NOT NULL,
    "classifier" VARCHAR(40) NOT NULL,
    "severity" VARCHAR(8) NOT NULL,
    "limit_hours" REAL NOT NULL,
    "photos" JSON NOT NULL,
    "assignee_user_id" INT,
    "assignee_department" VARCHAR(64),
    "opened_at" TIMESTAMP NOT NULL,
    "deadline_at" TIMESTAMP NOT NULL,
    "closed_at" TIMESTAMP,
    "escalation_level" INT NOT NULL,
    "merged_into" VARCHAR(32),
    "reopen_count" INT NOT NULL,
    "extension_request" JSON,
    "suspended_at" TIMESTAMP,
    "last_seq" INT NOT NULL,
    "last_hash" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
, "anonymous" INT NOT NULL DEFAULT 0, "anonymised_at" TIMESTAMP, "handler_user_id" INT, "task_kind" VARCHAR(16), "task_user_id" INT, "position_flags" JSON, "assists" JSON, "assist_units" VARCHAR(1000));

CREATE TABLE "categories" (
    "code" VARCHAR(16) NOT NULL  PRIMARY KEY,
    "data" JSON NOT NULL,
    "retired" INT NOT NULL,
    "version" INT NOT NULL
);

CREATE TABLE "co_reporters" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_co_reporter_case_no_6fdc6d" UNIQUE ("case_no", "channel", "reporter")
);

CREATE TABLE "departments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "code" VARCHAR(64) NOT NULL UNIQUE,
    "line" VARCHAR(40) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "region_code" VARCHAR(20) NOT NULL,
    "email" VARCHAR(200)
, "wecom_group" VARCHAR(200), "active" INT NOT NULL DEFAULT 1);

CREATE TABLE "grid_groups" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL UNIQUE,
    "webhook_key" VARCHAR(100) NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "updated_by" VARCHAR(128) NOT NULL
);

CREATE TABLE "inbound_messages" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "dedup_key" VARCHAR(200) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "content" TEXT,
    "media_id" VARCHAR(200),
    "pic_url" VARCHAR(500),
    "lat" REAL,
    "lng" REAL,
    "payload" JSON NOT NULL,
    "received_at" TIMESTAMP NOT NULL,
    "case_no" VARCHAR(32)
, "answered_at" TIMESTAMP);

CREATE TABLE "kv_entries" (
    "key" VARCHAR(255) NOT NULL  PRIMARY KEY,
    "value" TEXT NOT NULL,
    "expires_at" REAL
);

CREATE TABLE "mp_accounts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "openid" VARCHAR(128) NOT NULL UNIQUE,
    "unionid" VARCHAR(128),
    "phone_masked" VARCHAR(32),
    "created_at" TIMESTAMP NOT NULL
);

CREATE TABLE "mp_alert_places" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "openid" VARCHAR(128) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "label" VARCHAR(50),
    "lat" REAL NOT NULL,
    "lng" REAL NOT NULL,
    "grid_code" VARCHAR(20),
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_mp_alert_pl_openid_129d4d" UNIQUE ("openid", "kind")
);

CREATE TABLE "mp_media" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "media_id" VARCHAR(40) NOT NULL UNIQUE,
    "owner" VARCHAR(128) NOT NULL,
    "mime" VARCHAR(32) NOT NULL,
    "size" INT NOT NULL,
    "width" INT NOT NULL,
    "height" INT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "path" VARCHAR(200) NOT NULL,
    "case_no" VARCHAR(32),
    "created_at" TIMESTAMP NOT NULL
, "source" VARCHAR(16) NOT NULL DEFAULT 'mp', "state" VARCHAR(8) NOT NULL DEFAULT 'stored', "ref" VARCHAR(200), "original_sha256" VARCHAR(64), "taken_at" TIMESTAMP, "lat" REAL, "lng" REAL, "tries" INT NOT NULL DEFAULT 0, "next_try_at" TIMESTAMP, "last_error" VARCHAR(300), "caption" VARCHAR(160));

CREATE TABLE "mp_sessions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "openid" VARCHAR(128) NOT NULL,
    "session_key_enc" TEXT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL
);

CREATE TABLE "mp_subscription_credits" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "openid" VARCHAR(128) NOT NULL,
    "template_id" VARCHAR(64) NOT NULL,
    "credits" INT NOT NULL,
    "last_answer" VARCHAR(16) NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_mp_subscrip_openid_654eb5" UNIQUE ("openid", "template_id")
);

CREATE TABLE "nlp_keyword_rule" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "phrase" VARCHAR(50) NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "priority" INT NOT NULL,
    "expires_at" TIMESTAMP,
    "active" INT NOT NULL,
    "note" VARCHAR(200) NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMP NOT NULL
);

CREATE TABLE "nlp_label" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "text" TEXT NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "source" VARCHAR(16) NOT NULL,
    "case_no" VARCHAR(32),
    "actor" VARCHAR(128) NOT NULL,
    "taxonomy_version" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
);

CREATE TABLE "nlp_model_version" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "backend" VARCHAR(16) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "directory" VARCHAR(500) NOT NULL,
    "data_sha256" VARCHAR(64) NOT NULL,
    "data_count" INT NOT NULL,
    "data_source" JSON NOT NULL,
    "taxonomy_version" INT NOT NULL,
    "metrics" JSON NOT NULL,
    "thresholds" JSON NOT NULL,
    "target_precision" REAL NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "previous_id" INT,
    "note" TEXT NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "activated_by" VARCHAR(128),
    "activated_at" TIMESTAMP
);

CREATE TABLE "nlp_revision" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "note" VARCHAR(200) NOT NULL
);

CREATE TABLE "nlp_shadow" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version_id" INT NOT NULL,
    "case_id" INT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "active_model" VARCHAR(64) NOT NULL,
    "active_code" VARCHAR(16),
    "active_confidence" REAL NOT NULL,
    "shadow_code" VARCHAR(16),
    "shadow_confidence" REAL NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_nlp_shadow_version_0b8fd1" UNIQUE ("version_id", "case_id")
);

CREATE TABLE "nlp_training_job" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "stage" VARCHAR(100) NOT NULL,
    "progress" REAL NOT NULL,
    "params" JSON NOT NULL,
    "error" TEXT,
    "version_id" INT,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP
);

CREATE TABLE "nlp_triage" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "predicted" VARCHAR(16),
    "confidence" REAL NOT NULL,
    "threshold" REAL NOT NULL,
    "model" VARCHAR(64) NOT NULL,
    "top" JSON NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "decided_code" VARCHAR(16),
    "decided_by" VARCHAR(128),
    "decided_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL
);

CREATE TABLE "open311_submissions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "client" VARCHAR(24) NOT NULL,
    "contact" JSON NOT NULL,
    "attributes" JSON NOT NULL,
    "media_url" VARCHAR(500),
    "created_at" TIMESTAMP NOT NULL
);

CREATE TABLE "outbox" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "key" VARCHAR(200) NOT NULL UNIQUE,
    "kind" VARCHAR(40) NOT NULL,
    "recipient_kind" VARCHAR(16) NOT NULL,
    "recipient_ref" VARCHAR(128) NOT NULL,
    "recipient_channel" VARCHAR(32),
    "channel" VARCHAR(24) NOT NULL,
    "address" VARCHAR(200),
    "payload" JSON NOT NULL,
    "body" JSON,
    "status" VARCHAR(12) NOT NULL,
    "attempts" INT NOT NULL,
    "last_error" TEXT,
    "last_code" INT,
    "next_attempt_at" TIMESTAMP NOT NULL,
    "lease_until" TIMESTAMP,
    "group" VARCHAR(64),
    "case_no" VARCHAR(32),
    "urgent" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);

CREATE TABLE "outbox_attempts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "what" VARCHAR(8) NOT NULL,
    "channel" VARCHAR(24) NOT NULL,
    "outcome" VARCHAR(16) NOT NULL,
    "code" INT,
    "detail" TEXT NOT NULL,
    "at" TIMESTAMP NOT NULL
);

CREATE TABLE "page_sessions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "digest" VARCHAR(64) NOT NULL UNIQUE,
    "namespace" VARCHAR(16) NOT NULL,
    "user_id" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "last_seen_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "user_agent" VARCHAR(80) NOT NULL,
    "ended_at" TIMESTAMP,
    "ended_by" VARCHAR(32)
);

CREATE TABLE "personal_data_reads" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "user_id" INT,
    "actor" VARCHAR(64) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "purpose" VARCHAR(64) NOT NULL,
    "fields_read" JSON NOT NULL
);

CREATE TABLE "places" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "code" VARCHAR(20) NOT NULL,
    "aliases" JSON NOT NULL
);

CREATE TABLE "ratings" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "round" INT NOT NULL,
    "score" INT NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_ratings_case_no_2039a3" UNIQUE ("case_no", "channel", "reporter", "round")
);

CREATE TABLE "regions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "code" VARCHAR(20) NOT NULL UNIQUE,
    "level" VARCHAR(16) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "parent_code" VARCHAR(20),
    "geometry" JSON NOT NULL,
    "group_chat" VARCHAR(200)
);

CREATE TABLE "residents" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "lang" VARCHAR(8) NOT NULL,
    "auto_submit" INT NOT NULL,
    "subscribed" INT NOT NULL,
    "home_grid" VARCHAR(20),
    "location_allowed" INT NOT NULL,
    "last_lat" REAL,
    "last_lng" REAL,
    "last_location_at" TIMESTAMP,
    "last_seen_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL, "outbox_held" INT NOT NULL DEFAULT 0, "erase_requested_at" TIMESTAMP, "alerts_muted" INT NOT NULL DEFAULT 0,
    CONSTRAINT "uid_residents_channel_d885d5" UNIQUE ("channel", "external_id")
);

CREATE TABLE "staff_audit" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "event" VARCHAR(24) NOT NULL,
    "account" VARCHAR(20) NOT NULL,
    "user_id" INT,
    "actor" VARCHAR(128) NOT NULL,
    "ip" VARCHAR(64) NOT NULL,
    "detail" VARCHAR(200) NOT NULL
);

CREATE TABLE "staff_passwords" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "user_id" INT NOT NULL UNIQUE,
    "hash" VARCHAR(255) NOT NULL,
    "changed_at" TIMESTAMP NOT NULL
);

CREATE TABLE "stats_daily" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "day" DATE NOT NULL,
    "grid_code" VARCHAR(20),
    "assignee_user_id" INT,
    "assignee_department" VARCHAR(64),
    "task_user_id" INT,
    "category_code" VARCHAR(16),
    "received" INT NOT NULL,
    "registered" INT NOT NULL,
    "closed" INT NOT NULL,
    "on_time" INT NOT NULL,
    "response_n" INT NOT NULL,
    "response_sum" REAL NOT NULL,
    "handling_n" INT NOT NULL,
    "handling_sum" REAL NOT NULL,
    "supervised" INT NOT NULL,
    "reopened" INT NOT NULL,
    "ever_closed" INT NOT NULL,
    "voided" INT NOT NULL,
    "response_one" REAL,
    "handling_one" REAL,
    "response_values" TEXT NOT NULL,
    "handling_values" TEXT NOT NULL
);

CREATE TABLE "stats_days" (
    "day" DATE NOT NULL  PRIMARY KEY,
    "built_at" TIMESTAMP NOT NULL
);

CREATE TABLE "stats_dirty" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL
);

CREATE TABLE "supervisions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "level" INT NOT NULL,
    "target_region" VARCHAR(20),
    "created_at" TIMESTAMP NOT NULL,
    "deadline_at" TIMESTAMP NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    CONSTRAINT "uid_supervision_case_no_af1e61" UNIQUE ("case_no", "level", "deadline_at")
);

CREATE TABLE "survey_effects" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "kind" VARCHAR(12) NOT NULL,
    "round" INT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "comment" TEXT,
    "target" VARCHAR(20),
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_survey_effe_case_no_e90f11" UNIQUE ("case_no", "kind")
);

CREATE TABLE "surveys" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "round" INT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "lang" VARCHAR(8) NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "grid_code" VARCHAR(20),
    "category_code" VARCHAR(16),
    "department" VARCHAR(64),
    "assignee_user_id" INT,
    "month" VARCHAR(7) NOT NULL,
    "closed_at" TIMESTAMP NOT NULL,
    "due_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "reminded_at" TIMESTAMP,
    "answered_at" TIMESTAMP,
    "via" VARCHAR(16),
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_surveys_case_no_077d4e" UNIQUE ("case_no", "round", "channel", "reporter")
);

CREATE TABLE "taxonomy_changes" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" INT NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "op" VARCHAR(16) NOT NULL,
    "before" JSON,
    "after" JSON
);

CREATE TABLE "taxonomy_versions" (
    "version" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "actor" VARCHAR(100) NOT NULL,
    "note" TEXT NOT NULL
);

CREATE TABLE "tortoise_migrations" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "app" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "applied_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_tortoise_mi_app_3803a5" UNIQUE ("app", "name")
);

CREATE TABLE "upstream_requests" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "service_code" VARCHAR(64) NOT NULL,
    "service_request_id" VARCHAR(64),
    "token" VARCHAR(64),
    "status" VARCHAR(16) NOT NULL,
    "status_notes" TEXT,
    "agency" VARCHAR(200),
    "created_at" TIMESTAMP NOT NULL,
    "polled_at" TIMESTAMP,
    "updated_at" TIMESTAMP NOT NULL
);

CREATE TABLE "user_grids" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_user_grids_user_id_7c6737" UNIQUE ("user_id", "grid_code")
);

CREATE TABLE "users" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "department_code" VARCHAR(64),
    "phone" VARCHAR(32),
    "active" INT NOT NULL,
    "origin" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL
, "wecom_userid" VARCHAR(64), "on_leave" INT NOT NULL DEFAULT 0, "substitute_id" INT);

CREATE TABLE "worker_login_codes" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "code_hash" VARCHAR(64) NOT NULL UNIQUE,
    "user_id" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP
);

CREATE INDEX case_events_desk ON case_events (case_no, action, seq, role) WHERE action IN ('supervise', 'request_void', 'deny_void');

CREATE INDEX case_events_open_at ON case_events (at) WHERE action = 'open';

CREATE INDEX cases_heat ON cases (opened_at, lat, lng, category_code);

CREATE INDEX cases_open_deadline ON cases (deadline_at, id) WHERE status IN ('checking', 'dispatched', 'handled', 'handling', 'registered', 'reported', 'returned', 'suspended', 'verifying');

CREATE INDEX "idx_alert_acks_alert_i_fc718a" ON "alert_acks" ("alert_id");

CREATE INDEX "idx_alert_messa_alert_i_c8f792" ON "alert_messages" ("alert_id");

CREATE INDEX "idx_alerts_status_b1f33e" ON "alerts" ("status");

CREATE INDEX "idx_case_transf_case_no_e1be07" ON "case_transfers" ("case_no");

CREATE INDEX "idx_case_transf_to_code_dfe84d" ON "case_transfers" ("to_code");

CREATE INDEX "idx_cases_assigne_9b8225" ON "cases" ("assignee_user_id");

CREATE INDEX "idx_cases_categor_602a4d" ON "cases" ("category_code");

CREATE INDEX "idx_cases_deadlin_a25891" ON "cases" ("deadline_at");

CREATE INDEX "idx_cases_grid_co_0bd676" ON "cases" ("grid_code");

CREATE INDEX "idx_cases_reporte_81245a" ON "cases" ("reporter");

CREATE INDEX "idx_cases_status_6f59f9" ON "cases" ("status");

CREATE INDEX "idx_co_reporter_case_no_7bc595" ON "co_reporters" ("case_no");

CREATE INDEX "idx_departments_line_638afb" ON "departments" ("line");

CREATE INDEX "idx_inbound_mes_externa_f92418" ON "inbound_messages" ("external_id");

CREATE INDEX "idx_kv_entries_expires_2aa5c5" ON "kv_entries" ("expires_at");

CREATE INDEX "idx_mp_alert_pl_grid_co_9211b5" ON "mp_alert_places" ("grid_code");

CREATE INDEX "idx_mp_alert_pl_openid_4f1710" ON "mp_alert_places" ("openid");

CREATE INDEX "idx_mp_media_case_no_5bdb62" ON "mp_media" ("case_no");

CREATE INDEX "idx_mp_media_owner_66a656" ON "mp_media" ("owner");

CREATE INDEX "idx_mp_sessions_expires_1aac40" ON "mp_sessions" ("expires_at");

CREATE INDEX "idx_mp_sessions_openid_b701e5" ON "mp_sessions" ("openid");

CREATE INDEX "idx_nlp_label_case_no_59b0f8" ON "nlp_label" ("case_no");

CREATE INDEX "idx_nlp_label_code_80f30d" ON "nlp_label" ("code");

CREATE INDEX "idx_nlp_label_source_6e392c" ON "nlp_label" ("source");

CREATE INDEX "idx_nlp_model_v_status_916ac1" ON "nlp_model_version" ("status");

CREATE INDEX "idx_nlp_shadow_case_no_9ef9f1" ON "nlp_shadow" ("case_no");

CREATE INDEX "idx_nlp_shadow_version_0519b8" ON "nlp_shadow" ("version_id");

CREATE INDEX "idx_nlp_trainin_status_470416" ON "nlp_training_job" ("status");

CREATE INDEX "idx_nlp_triage_status_bbc721" ON "nlp_triage" ("status");

CREATE INDEX "idx_outbox_atte_message_276ea3" ON "outbox_attempts" ("message_id");

CREATE INDEX "idx_outbox_case_no_e488fd" ON "outbox" ("case_no");

CREATE INDEX "idx_outbox_group_367cf0" ON "outbox" ("group");

CREATE INDEX "idx_outbox_next_at_59be67" ON "outbox" ("next_attempt_at");

CREATE INDEX "idx_outbox_recipie_915bcf" ON "outbox" ("recipient_ref");

CREATE INDEX "idx_outbox_status_9c8966" ON "outbox" ("status");

CREATE INDEX "idx_page_sessio_expires_f14414" ON "page_sessions" ("expires_at");

CREATE INDEX "idx_page_sessio_user_id_3bd5ee" ON "page_sessions" ("user_id");

CREATE INDEX "idx_personal_da_at_8c6bbc" ON "personal_data_reads" ("at");

CREATE INDEX "idx_personal_da_case_no_b05ef4" ON "personal_data_reads" ("case_no");

CREATE INDEX "idx_personal_da_user_id_a60e52" ON "personal_data_reads" ("user_id");

CREATE INDEX "idx_ratings_case_no_445c42" ON "ratings" ("case_no");

CREATE INDEX "idx_regions_parent__22f669" ON "regions" ("parent_code");

CREATE INDEX "idx_residents_home_gr_3a3ffc" ON "residents" ("home_grid");

CREATE INDEX "idx_staff_audit_at_c51670" ON "staff_audit" ("at");

CREATE INDEX "idx_staff_audit_user_id_b26a88" ON "staff_audit" ("user_id");

CREATE INDEX "idx_stats_daily_day_7463f2" ON "stats_daily" ("day");

CREATE INDEX "idx_supervision_case_no_530de3" ON "supervisions" ("case_no");

CREATE INDEX "idx_surveys_case_no_aded83" ON "surveys" ("case_no");

CREATE INDEX "idx_surveys_due_at_905e3f" ON "surveys" ("due_at");

CREATE INDEX "idx_surveys_status_00b82c" ON "surveys" ("status");

CREATE INDEX "idx_taxonomy_ch_version_18883d" ON "taxonomy_changes" ("version");

CREATE INDEX "idx_upstream_re_polled__67dca5" ON "upstream_requests" ("polled_at");

CREATE INDEX "idx_upstream_re_service_81bb0b" ON "upstream_requests" ("service_request_id");

CREATE INDEX "idx_user_grids_grid_co_969dbd" ON "user_grids" ("grid_code");

CREATE INDEX "idx_worker_logi_user_id_daa85c" ON "worker_login_codes" ("user_id");

CREATE INDEX inbound_messages_unanswered ON inbound_messages (received_at) WHERE answered_at IS NULL;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
       BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

CREATE TRIGGER stats_dirty_case AFTER UPDATE ON cases
       WHEN OLD.status IS NOT NEW.status OR OLD.closed_at IS NOT NEW.closed_at OR OLD.deadline_at IS NOT NEW.deadline_at OR OLD.grid_code IS NOT NEW.grid_code OR OLD.assignee_user_id IS NOT NEW.assignee_user_id OR OLD.assignee_department IS NOT NEW.assignee_department OR OLD.task_user_id IS NOT NEW.task_user_id OR OLD.category_code IS NOT NEW.category_code OR OLD.lat IS NOT NEW.lat OR OLD.lng IS NOT NEW.lng OR OLD.opened_at IS NOT NEW.opened_at
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); END;

CREATE TRIGGER stats_dirty_event AFTER INSERT ON case_events
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); END;
