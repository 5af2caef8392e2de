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

CREATE TABLE IF NOT EXISTS "tortoise_migrations" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "app" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "applied_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_tortoise_mi_app_3803a5" UNIQUE ("app", "name")
);

CREATE TABLE "cases" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "resume_status" VARCHAR(16),
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "description" TEXT NOT NULL,
    "address" VARCHAR(300),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "grid_code" VARCHAR(20),
    "category_code" VARCHAR(16),
    "taxonomy_version" INT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "classifier" VARCHAR(40) NOT NULL,
    "severity" VARCHAR(8) NOT NULL,
    "limit_hours" DOUBLE PRECISION NOT NULL,
    "photos" JSONB NOT NULL,
    "assignee_user_id" INT,
    "assignee_department" VARCHAR(64),
    "opened_at" TIMESTAMPTZ NOT NULL,
    "deadline_at" TIMESTAMPTZ NOT NULL,
    "closed_at" TIMESTAMPTZ,
    "escalation_level" INT NOT NULL,
    "merged_into" VARCHAR(32),
    "reopen_count" INT NOT NULL,
    "extension_request" JSONB,
    "suspended_at" TIMESTAMPTZ,
    "last_seq" INT NOT NULL,
    "last_hash" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_cases_status_6f59f9" ON "cases" ("status");
CREATE INDEX "idx_cases_reporte_81245a" ON "cases" ("reporter");
CREATE INDEX "idx_cases_grid_co_0bd676" ON "cases" ("grid_code");
CREATE INDEX "idx_cases_categor_602a4d" ON "cases" ("category_code");
CREATE INDEX "idx_cases_assigne_9b8225" ON "cases" ("assignee_user_id");
CREATE INDEX "idx_cases_deadlin_a25891" ON "cases" ("deadline_at");

CREATE TABLE "case_counters" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "district" VARCHAR(6) NOT NULL,
    "day" VARCHAR(8) NOT NULL,
    "n" INT NOT NULL,
    CONSTRAINT "uid_case_counte_distric_be2ed6" UNIQUE ("district", "day")
);
COMMENT ON TABLE "case_counters" IS 'Per district and day, the last serial handed out for case numbers.';

CREATE TABLE "case_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "seq" INT NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "from_status" VARCHAR(16),
    "to_status" VARCHAR(16) NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "note" TEXT,
    "attachments" JSONB NOT NULL,
    "data" JSONB NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    CONSTRAINT "uid_case_events_case_no_b7e976" UNIQUE ("case_no", "seq")
);
COMMENT ON TABLE "case_events" IS 'Append-only, hash-chained log (database triggers refuse UPDATE and DELETE).';

CREATE TABLE "categories" (
    "code" VARCHAR(16) NOT NULL  PRIMARY KEY,
    "data" JSONB NOT NULL,
    "retired" BOOL NOT NULL,
    "version" INT NOT NULL
);
COMMENT ON TABLE "categories" IS 'The current state of one category (its history is in ``TaxonomyChange``).';

CREATE TABLE "co_reporters" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_co_reporter_case_no_6fdc6d" UNIQUE ("case_no", "channel", "reporter")
);
CREATE INDEX "idx_co_reporter_case_no_7bc595" ON "co_reporters" ("case_no");
COMMENT ON TABLE "co_reporters" IS 'A resident who seconded (附议) a case, or whose report was merged into it.';

CREATE TABLE "departments" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "code" VARCHAR(64) NOT NULL UNIQUE,
    "line" VARCHAR(40) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "region_code" VARCHAR(20) NOT NULL,
    "email" VARCHAR(200)
);
CREATE INDEX "idx_departments_line_638afb" ON "departments" ("line");
COMMENT ON TABLE "departments" IS 'A line department (条线) at district or street level.';

CREATE TABLE "inbound_messages" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "dedup_key" VARCHAR(200) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "content" TEXT,
    "media_id" VARCHAR(200),
    "pic_url" VARCHAR(500),
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL,
    "case_no" VARCHAR(32)
);
CREATE INDEX "idx_inbound_mes_externa_f92418" ON "inbound_messages" ("external_id");
COMMENT ON TABLE "inbound_messages" IS 'Everything a resident sent, stored before gridline answers (nothing is lost if a reply fails).';

CREATE TABLE "places" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "code" VARCHAR(20) NOT NULL,
    "aliases" JSONB NOT NULL
);
COMMENT ON TABLE "places" IS 'A gazetteer entry: street, community, road or landmark name pointing at a cell.';

CREATE TABLE "regions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "code" VARCHAR(20) NOT NULL UNIQUE,
    "level" VARCHAR(16) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "parent_code" VARCHAR(20),
    "geometry" JSONB NOT NULL,
    "group_chat" VARCHAR(200)
);
CREATE INDEX "idx_regions_parent__22f669" ON "regions" ("parent_code");
COMMENT ON TABLE "regions" IS 'A grid cell at any level, ``geometry`` is GeoJSON in WGS-84.';

CREATE TABLE "residents" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "lang" VARCHAR(8) NOT NULL,
    "auto_submit" BOOL NOT NULL,
    "subscribed" BOOL NOT NULL,
    "home_grid" VARCHAR(20),
    "location_allowed" BOOL NOT NULL,
    "last_lat" DOUBLE PRECISION,
    "last_lng" DOUBLE PRECISION,
    "last_location_at" TIMESTAMPTZ,
    "last_seen_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_residents_channel_d885d5" UNIQUE ("channel", "external_id")
);
CREATE INDEX "idx_residents_home_gr_3a3ffc" ON "residents" ("home_grid");
COMMENT ON TABLE "residents" IS 'A resident known to a channel (a 公众号 openid, a mini-program user): language, settings, home grid.';

CREATE TABLE "supervisions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "level" INT NOT NULL,
    "target_region" VARCHAR(20),
    "created_at" TIMESTAMPTZ NOT NULL,
    "deadline_at" TIMESTAMPTZ NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    CONSTRAINT "uid_supervision_case_no_af1e61" UNIQUE ("case_no", "level", "deadline_at")
);
CREATE INDEX "idx_supervision_case_no_530de3" ON "supervisions" ("case_no");
COMMENT ON TABLE "supervisions" IS 'A 督办 record: raised when a case runs over its deadline, and at each escalation.';

CREATE TABLE "taxonomy_changes" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" INT NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "op" VARCHAR(16) NOT NULL,
    "before" JSONB,
    "after" JSONB
);
CREATE INDEX "idx_taxonomy_ch_version_18883d" ON "taxonomy_changes" ("version");

CREATE TABLE "taxonomy_versions" (
    "version" SERIAL NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "actor" VARCHAR(100) NOT NULL,
    "note" TEXT NOT NULL
);
COMMENT ON TABLE "taxonomy_versions" IS 'One published state of the taxonomy (every change makes a new version).';

CREATE TABLE "users" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "department_code" VARCHAR(64),
    "phone" VARCHAR(32),
    "active" BOOL NOT NULL,
    "origin" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "users" IS 'A staff member (only the SHA-256 of the API token is stored).';

CREATE TABLE "user_grids" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "grid_code" VARCHAR(20) NOT NULL,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_user_grids_user_id_7c6737" UNIQUE ("user_id", "grid_code")
);
CREATE INDEX "idx_user_grids_grid_co_969dbd" ON "user_grids" ("grid_code");
COMMENT ON TABLE "user_grids" IS 'Which grids a user answers for (a worker: responsibility grids, a dispatcher: a street).';

CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'case_events is append-only'; END; $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS case_events_no_change ON case_events;

CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
       FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

CREATE TABLE "mp_alert_places" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "openid" VARCHAR(128) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "label" VARCHAR(50),
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "grid_code" VARCHAR(20),
    "updated_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_mp_alert_pl_openid_129d4d" UNIQUE ("openid", "kind")
);
CREATE INDEX "idx_mp_alert_pl_openid_4f1710" ON "mp_alert_places" ("openid");
CREATE INDEX "idx_mp_alert_pl_grid_co_9211b5" ON "mp_alert_places" ("grid_code");
COMMENT ON TABLE "mp_alert_places" IS 'A place a resident wants alerts for (home, work), with the grid cell it falls in (WGS-84).';

CREATE TABLE "api_clients" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(24) NOT NULL UNIQUE,
    "key_hash" VARCHAR(64) NOT NULL UNIQUE,
    "active" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "api_clients" IS 'A system filing reports through Open311 (only the SHA-256 of its API key is stored).';

CREATE TABLE "mp_media" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "media_id" VARCHAR(40) NOT NULL UNIQUE,
    "owner" VARCHAR(128) NOT NULL,
    "mime" VARCHAR(32) NOT NULL,
    "size" INT NOT NULL,
    "width" INT NOT NULL,
    "height" INT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "path" VARCHAR(200) NOT NULL,
    "case_no" VARCHAR(32),
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_mp_media_owner_66a656" ON "mp_media" ("owner");
CREATE INDEX "idx_mp_media_case_no_5bdb62" ON "mp_media" ("case_no");
COMMENT ON TABLE "mp_media" IS 'A photo uploaded through the mini-program, re-encoded without metadata, stored on disk.';

CREATE TABLE "mp_accounts" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "openid" VARCHAR(128) NOT NULL UNIQUE,
    "unionid" VARCHAR(128),
    "phone_masked" VARCHAR(32),
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "mp_accounts" IS 'A mini-program user (openid), with the masked phone number when they bound one.';

CREATE TABLE "mp_sessions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "openid" VARCHAR(128) NOT NULL,
    "session_key_enc" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_mp_sessions_openid_b701e5" ON "mp_sessions" ("openid");
CREATE INDEX "idx_mp_sessions_expires_1aac40" ON "mp_sessions" ("expires_at");
COMMENT ON TABLE "mp_sessions" IS 'A mini-program login: only the SHA-256 of the bearer token, the WeChat session_key encrypted.';

CREATE TABLE "open311_submissions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "client" VARCHAR(24) NOT NULL,
    "contact" JSONB NOT NULL,
    "attributes" JSONB NOT NULL,
    "media_url" VARCHAR(500),
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "open311_submissions" IS 'The submitter fields of a request filed through Open311, kept for staff and never published.';

CREATE TABLE "ratings" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "round" INT NOT NULL,
    "score" INT NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_ratings_case_no_2039a3" UNIQUE ("case_no", "channel", "reporter", "round")
);
CREATE INDEX "idx_ratings_case_no_445c42" ON "ratings" ("case_no");
COMMENT ON TABLE "ratings" IS 'The satisfaction answer of the reporter for one closing of a case (1 satisfied, 2 fairly, 3 not).';

CREATE TABLE "mp_subscription_credits" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "openid" VARCHAR(128) NOT NULL,
    "template_id" VARCHAR(64) NOT NULL,
    "credits" INT NOT NULL,
    "last_answer" VARCHAR(16) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_mp_subscrip_openid_654eb5" UNIQUE ("openid", "template_id")
);
COMMENT ON TABLE "mp_subscription_credits" IS 'One-time subscription messages a resident allowed (each accept is one message gridline may send).';

ALTER TABLE "cases" ADD COLUMN "anonymous" BOOL NOT NULL DEFAULT FALSE;

CREATE TABLE "nlp_revision" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "note" VARCHAR(200) NOT NULL
);
COMMENT ON TABLE "nlp_revision" IS 'Append-only counter: every change to what serves (activation, shadow, rules) adds a row.';

CREATE TABLE "nlp_keyword_rule" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "phrase" VARCHAR(50) NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "priority" INT NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "active" BOOL NOT NULL,
    "note" VARCHAR(200) NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "nlp_keyword_rule" IS 'An admin''s phrase that decides a category at once, before any model.';

CREATE TABLE "nlp_label" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "source" VARCHAR(16) NOT NULL,
    "case_no" VARCHAR(32),
    "actor" VARCHAR(128) NOT NULL,
    "taxonomy_version" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_nlp_label_code_80f30d" ON "nlp_label" ("code");
CREATE INDEX "idx_nlp_label_source_6e392c" ON "nlp_label" ("source");
CREATE INDEX "idx_nlp_label_case_no_59b0f8" ON "nlp_label" ("case_no");
COMMENT ON TABLE "nlp_label" IS 'A (text, category) pair a person vouched for: a closed case, a correction, a triage decision, an import.';

CREATE TABLE "nlp_model_version" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "backend" VARCHAR(16) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "directory" VARCHAR(500) NOT NULL,
    "data_sha256" VARCHAR(64) NOT NULL,
    "data_count" INT NOT NULL,
    "data_source" JSONB NOT NULL,
    "taxonomy_version" INT NOT NULL,
    "metrics" JSONB NOT NULL,
    "thresholds" JSONB NOT NULL,
    "target_precision" DOUBLE PRECISION NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "previous_id" INT,
    "note" TEXT NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "activated_by" VARCHAR(128),
    "activated_at" TIMESTAMPTZ
);
CREATE INDEX "idx_nlp_model_v_status_916ac1" ON "nlp_model_version" ("status");
COMMENT ON TABLE "nlp_model_version" IS 'One trained classifier: where it lives, what it learnt from, how good it was, whether it serves.';

CREATE TABLE "nlp_shadow" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version_id" INT NOT NULL,
    "case_id" INT NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "active_model" VARCHAR(64) NOT NULL,
    "active_code" VARCHAR(16),
    "active_confidence" DOUBLE PRECISION NOT NULL,
    "shadow_code" VARCHAR(16),
    "shadow_confidence" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_nlp_shadow_version_0b8fd1" UNIQUE ("version_id", "case_id")
);
CREATE INDEX "idx_nlp_shadow_version_0519b8" ON "nlp_shadow" ("version_id");
CREATE INDEX "idx_nlp_shadow_case_no_9ef9f1" ON "nlp_shadow" ("case_no");
COMMENT ON TABLE "nlp_shadow" IS 'What the active and the shadow model each said about one live case.';

CREATE TABLE "nlp_training_job" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "stage" VARCHAR(100) NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL,
    "params" JSONB NOT NULL,
    "error" TEXT,
    "version_id" INT,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ
);
CREATE INDEX "idx_nlp_trainin_status_470416" ON "nlp_training_job" ("status");
COMMENT ON TABLE "nlp_training_job" IS 'A background retrain: its progress for the admin page and the version it produced.';

CREATE TABLE "nlp_triage" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "predicted" VARCHAR(16),
    "confidence" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "model" VARCHAR(64) NOT NULL,
    "top" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "decided_code" VARCHAR(16),
    "decided_by" VARCHAR(128),
    "decided_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_nlp_triage_status_bbc721" ON "nlp_triage" ("status");
COMMENT ON TABLE "nlp_triage" IS 'A case held back from auto-dispatch because the classifier was not sure enough.';

CREATE TABLE "grid_groups" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "grid_code" VARCHAR(20) NOT NULL UNIQUE,
    "webhook_key" VARCHAR(100) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "updated_by" VARCHAR(128) NOT NULL
);
COMMENT ON TABLE "grid_groups" IS 'The WeCom group robot (webhook key) of a grid cell, used for it and every cell below it without one.';

CREATE TABLE "outbox_attempts" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "message_id" BIGINT NOT NULL,
    "what" VARCHAR(8) NOT NULL,
    "channel" VARCHAR(24) NOT NULL,
    "outcome" VARCHAR(16) NOT NULL,
    "code" INT,
    "detail" TEXT NOT NULL,
    "at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_outbox_atte_message_276ea3" ON "outbox_attempts" ("message_id");
COMMENT ON TABLE "outbox_attempts" IS 'One delivery try (``what`` = attempt) or one reach decision (``what`` = route) for a message.';

CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(200) NOT NULL UNIQUE,
    "kind" VARCHAR(40) NOT NULL,
    "recipient_kind" VARCHAR(16) NOT NULL,
    "recipient_ref" VARCHAR(128) NOT NULL,
    "recipient_channel" VARCHAR(32),
    "channel" VARCHAR(24) NOT NULL,
    "address" VARCHAR(200),
    "payload" JSONB NOT NULL,
    "body" JSONB,
    "status" VARCHAR(12) NOT NULL,
    "attempts" INT NOT NULL,
    "last_error" TEXT,
    "last_code" INT,
    "next_attempt_at" TIMESTAMPTZ NOT NULL,
    "lease_until" TIMESTAMPTZ,
    "group" VARCHAR(64),
    "case_no" VARCHAR(32),
    "urgent" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_outbox_recipie_915bcf" ON "outbox" ("recipient_ref");
CREATE INDEX "idx_outbox_status_9c8966" ON "outbox" ("status");
CREATE INDEX "idx_outbox_next_at_59be67" ON "outbox" ("next_attempt_at");
CREATE INDEX "idx_outbox_group_367cf0" ON "outbox" ("group");
CREATE INDEX "idx_outbox_case_no_e488fd" ON "outbox" ("case_no");
COMMENT ON TABLE "outbox" IS 'One message for one recipient, unique by its idempotency key.';

CREATE TABLE "alerts" (
    "id" SERIAL NOT NULL PRIMARY KEY,
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
    "area" JSONB NOT NULL,
    "sent_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "release_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "cells_count" INT NOT NULL,
    "residents_count" INT NOT NULL
);
CREATE INDEX "idx_alerts_status_b1f33e" ON "alerts" ("status");
COMMENT ON TABLE "alerts" IS 'One warning as gridline tracks it: a CAP alert and its updates, or an admin''s composed alert.';

CREATE TABLE "alert_acks" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "alert_id" INT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "user_id" INT NOT NULL,
    "households" INT,
    "support" BOOL NOT NULL,
    "note" VARCHAR(500),
    "at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_alert_acks_alert_i_93bed1" UNIQUE ("alert_id", "grid_code", "user_id")
);
CREATE INDEX "idx_alert_acks_alert_i_fc718a" ON "alert_acks" ("alert_id");
COMMENT ON TABLE "alert_acks" IS 'A grid worker''s answer to the group card: households told, or a call for support.';

CREATE TABLE "alert_cells" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "alert_id" INT NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "street_code" VARCHAR(20) NOT NULL,
    CONSTRAINT "uid_alert_cells_alert_i_c556e5" UNIQUE ("alert_id", "grid_code")
);
COMMENT ON TABLE "alert_cells" IS 'A leaf grid cell the alert''s current area intersects, with its street (the escalation target).';

CREATE TABLE "alert_escalations" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "alert_id" INT NOT NULL,
    "street_code" VARCHAR(20) NOT NULL,
    "cells" JSONB NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_alert_escal_alert_i_ba1c0c" UNIQUE ("alert_id", "street_code")
);
COMMENT ON TABLE "alert_escalations" IS 'Cells of one street still silent after the configured delay, escalated once to the street.';

CREATE TABLE "alert_messages" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "alert_id" INT NOT NULL,
    "identifier" VARCHAR(200) NOT NULL UNIQUE,
    "msg_type" VARCHAR(8) NOT NULL,
    "version" INT NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_alert_messa_alert_i_c8f792" ON "alert_messages" ("alert_id");
COMMENT ON TABLE "alert_messages" IS 'Every message identifier seen for an alert (the first Alert, its Updates, its Cancel): dedupe and references.';

CREATE TABLE "alert_targets" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "alert_id" INT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "grid_code" VARCHAR(20) NOT NULL,
    "version" INT NOT NULL,
    CONSTRAINT "uid_alert_targe_alert_i_9f58b4" UNIQUE ("alert_id", "channel", "external_id")
);
COMMENT ON TABLE "alert_targets" IS 'A resident the alert''s current version was addressed to, counted in one cell.';

CREATE TABLE "surveys" (
    "id" SERIAL NOT NULL PRIMARY KEY,
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
    "closed_at" TIMESTAMPTZ NOT NULL,
    "due_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "reminded_at" TIMESTAMPTZ,
    "answered_at" TIMESTAMPTZ,
    "via" VARCHAR(16),
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_surveys_case_no_077d4e" UNIQUE ("case_no", "round", "channel", "reporter")
);
CREATE INDEX "idx_surveys_case_no_aded83" ON "surveys" ("case_no");
CREATE INDEX "idx_surveys_status_00b82c" ON "surveys" ("status");
CREATE INDEX "idx_surveys_due_at_905e3f" ON "surveys" ("due_at");
COMMENT ON TABLE "surveys" IS 'One resident asked about one closing: pending, answered or withdrawn (the case was reopened).';

CREATE TABLE "survey_effects" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "kind" VARCHAR(12) NOT NULL,
    "round" INT NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "reporter" VARCHAR(128) NOT NULL,
    "comment" TEXT,
    "target" VARCHAR(20),
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_survey_effe_case_no_e90f11" UNIQUE ("case_no", "kind")
);
COMMENT ON TABLE "survey_effects" IS 'What an unhappy answer did to a case: one reopen, then one escalation, never more (unique per case).';

ALTER TABLE "residents" ADD COLUMN "outbox_held" BOOL NOT NULL DEFAULT FALSE;

ALTER TABLE "departments" ADD COLUMN "wecom_group" VARCHAR(200);

ALTER TABLE "departments" ADD COLUMN "active" BOOL NOT NULL DEFAULT TRUE;

ALTER TABLE "users" ADD COLUMN "wecom_userid" VARCHAR(64);

ALTER TABLE "users" ADD COLUMN "on_leave" BOOL NOT NULL DEFAULT FALSE;

ALTER TABLE "users" ADD COLUMN "substitute_id" INT;

CREATE TABLE "audit_checkpoints" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "day" VARCHAR(10) NOT NULL UNIQUE,
    "at" TIMESTAMPTZ NOT NULL,
    "cases" INT NOT NULL,
    "cutoff" TIMESTAMPTZ NOT NULL,
    "heads_hash" VARCHAR(64) NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL
);
COMMENT ON TABLE "audit_checkpoints" IS 'One daily witness of all case chain heads (append-only).';

CREATE OR REPLACE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_checkpoints is append-only'; END; $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints;

CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
       FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();

ALTER TABLE "alerts" ADD COLUMN "author_scope" JSONB;

ALTER TABLE "api_clients" ADD COLUMN "private" BOOL NOT NULL DEFAULT FALSE;

ALTER TABLE "api_clients" ADD COLUMN "channels" JSONB;

CREATE TABLE "staff_passwords" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "user_id" INT NOT NULL UNIQUE,
    "hash" VARCHAR(255) NOT NULL,
    "changed_at" TIMESTAMPTZ NOT NULL
);

ALTER TABLE "cases" ADD COLUMN "anonymised_at" TIMESTAMPTZ;

ALTER TABLE "residents" ADD COLUMN "erase_requested_at" TIMESTAMPTZ;

CREATE TABLE "personal_data_reads" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "user_id" INT,
    "actor" VARCHAR(64) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "case_no" VARCHAR(32) NOT NULL,
    "purpose" VARCHAR(64) NOT NULL,
    "fields_read" JSONB NOT NULL
);
CREATE INDEX "idx_personal_da_at_8c6bbc" ON "personal_data_reads" ("at");
CREATE INDEX "idx_personal_da_user_id_a60e52" ON "personal_data_reads" ("user_id");
CREATE INDEX "idx_personal_da_case_no_b05ef4" ON "personal_data_reads" ("case_no");
COMMENT ON TABLE "personal_data_reads" IS 'A staff member read a resident''s personal data: who, which case, why (the PIPL access log, append-only).';

CREATE TABLE "kv_entries" (
    "key" VARCHAR(255) NOT NULL  PRIMARY KEY,
    "value" TEXT NOT NULL,
    "expires_at" DOUBLE PRECISION
);
CREATE INDEX "idx_kv_entries_expires_2aa5c5" ON "kv_entries" ("expires_at");
COMMENT ON TABLE "kv_entries" IS 'The shared key-value store''s fallback while Redis is unreachable (``bot.storage.database``).';

ALTER TABLE "residents" ADD COLUMN "alerts_muted" BOOL NOT NULL DEFAULT FALSE;

CREATE TABLE "staff_audit" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "event" VARCHAR(24) NOT NULL,
    "account" VARCHAR(20) NOT NULL,
    "user_id" INT,
    "actor" VARCHAR(128) NOT NULL,
    "ip" VARCHAR(64) NOT NULL,
    "detail" VARCHAR(200) NOT NULL
);
CREATE INDEX "idx_staff_audit_at_c51670" ON "staff_audit" ("at");
CREATE INDEX "idx_staff_audit_user_id_b26a88" ON "staff_audit" ("user_id");
COMMENT ON TABLE "staff_audit" IS 'Who signed in to a staff page, failed to, signed out or had a password set (#14): append-only.';

ALTER TABLE "mp_media" ADD COLUMN "source" VARCHAR(16) NOT NULL DEFAULT 'mp';

ALTER TABLE "mp_media" ADD COLUMN "state" VARCHAR(8) NOT NULL DEFAULT 'stored';

ALTER TABLE "mp_media" ADD COLUMN "ref" VARCHAR(200);

ALTER TABLE "mp_media" ADD COLUMN "original_sha256" VARCHAR(64);

ALTER TABLE "mp_media" ADD COLUMN "taken_at" TIMESTAMPTZ;

ALTER TABLE "mp_media" ADD COLUMN "lat" DOUBLE PRECISION;

ALTER TABLE "mp_media" ADD COLUMN "lng" DOUBLE PRECISION;

ALTER TABLE "mp_media" ADD COLUMN "tries" INT NOT NULL DEFAULT 0;

ALTER TABLE "mp_media" ADD COLUMN "next_try_at" TIMESTAMPTZ;

ALTER TABLE "mp_media" ADD COLUMN "last_error" VARCHAR(300);

CREATE TABLE "worker_login_codes" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "code_hash" VARCHAR(64) NOT NULL UNIQUE,
    "user_id" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ
);
CREATE INDEX "idx_worker_logi_user_id_daa85c" ON "worker_login_codes" ("user_id");

CREATE TABLE "page_sessions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "digest" VARCHAR(64) NOT NULL UNIQUE,
    "namespace" VARCHAR(16) NOT NULL,
    "user_id" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_seen_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "user_agent" VARCHAR(80) NOT NULL,
    "ended_at" TIMESTAMPTZ,
    "ended_by" VARCHAR(32)
);
CREATE INDEX "idx_page_sessio_user_id_3bd5ee" ON "page_sessions" ("user_id");
CREATE INDEX "idx_page_sessio_expires_f14414" ON "page_sessions" ("expires_at");

ALTER TABLE "alerts" ADD COLUMN "instructions" TEXT;

ALTER TABLE "cases" ADD COLUMN "handler_user_id" INT;

ALTER TABLE "cases" ADD COLUMN "task_kind" VARCHAR(16);

ALTER TABLE "cases" ADD COLUMN "task_user_id" INT;

ALTER TABLE "cases" ADD COLUMN "position_flags" JSONB;

ALTER TABLE "cases" ADD COLUMN "assists" JSONB;

CREATE TABLE "stats_daily" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
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
    "response_sum" DOUBLE PRECISION NOT NULL,
    "handling_n" INT NOT NULL,
    "handling_sum" DOUBLE PRECISION NOT NULL,
    "supervised" INT NOT NULL,
    "reopened" INT NOT NULL,
    "ever_closed" INT NOT NULL,
    "voided" INT NOT NULL,
    "response_one" DOUBLE PRECISION,
    "handling_one" DOUBLE PRECISION,
    "response_values" TEXT NOT NULL,
    "handling_values" TEXT NOT NULL
);
CREATE INDEX "idx_stats_daily_day_7463f2" ON "stats_daily" ("day");

CREATE TABLE "stats_days" (
    "day" DATE NOT NULL  PRIMARY KEY,
    "built_at" TIMESTAMPTZ NOT NULL
);

CREATE TABLE "stats_dirty" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL
);

CREATE OR REPLACE FUNCTION stats_dirty_note() RETURNS trigger AS $$
       BEGIN INSERT INTO stats_dirty (case_no) VALUES (NEW.case_no); RETURN NULL; END; $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS stats_dirty_event ON case_events;

CREATE TRIGGER stats_dirty_event AFTER INSERT ON case_events
       FOR EACH ROW EXECUTE FUNCTION stats_dirty_note();

DROP TRIGGER IF EXISTS stats_dirty_case ON cases;

CREATE TRIGGER stats_dirty_case AFTER UPDATE ON cases FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.closed_at IS DISTINCT FROM NEW.closed_at OR OLD.deadline_at IS DISTINCT FROM NEW.deadline_at OR OLD.grid_code IS DISTINCT FROM NEW.grid_code OR OLD.assignee_user_id IS DISTINCT FROM NEW.assignee_user_id OR OLD.assignee_department IS DISTINCT FROM NEW.assignee_department OR OLD.task_user_id IS DISTINCT FROM NEW.task_user_id OR OLD.category_code IS DISTINCT FROM NEW.category_code OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lng IS DISTINCT FROM NEW.lng OR OLD.opened_at IS DISTINCT FROM NEW.opened_at)
       EXECUTE FUNCTION stats_dirty_note();

CREATE INDEX IF NOT EXISTS case_events_open_at ON case_events (at) WHERE action = 'open';

CREATE INDEX IF NOT EXISTS cases_heat ON cases (opened_at) INCLUDE (lat, lng, category_code, id);

CREATE TABLE "upstream_requests" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL UNIQUE,
    "service_code" VARCHAR(64) NOT NULL,
    "service_request_id" VARCHAR(64),
    "token" VARCHAR(64),
    "status" VARCHAR(16) NOT NULL,
    "status_notes" TEXT,
    "agency" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "polled_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_upstream_re_service_81bb0b" ON "upstream_requests" ("service_request_id");
CREATE INDEX "idx_upstream_re_polled__67dca5" ON "upstream_requests" ("polled_at");
COMMENT ON TABLE "upstream_requests" IS 'A case pushed to the upstream Open311 platform: its id there and the last status read back.';

CREATE TABLE "case_transfers" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(32) NOT NULL,
    "from_grid" VARCHAR(20),
    "to_code" VARCHAR(20) NOT NULL,
    "moved" BOOL NOT NULL,
    "by" VARCHAR(64) NOT NULL,
    "note" TEXT,
    "at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX "idx_case_transf_case_no_e1be07" ON "case_transfers" ("case_no");
CREATE INDEX "idx_case_transf_to_code_dfe84d" ON "case_transfers" ("to_code");
COMMENT ON TABLE "case_transfers" IS 'A case passed on as 不属于本辖区: moved into a region served here, or on record for one outside.';

ALTER TABLE "cases" ADD COLUMN "assist_units" VARCHAR(1000);

ALTER TABLE "mp_media" ADD COLUMN "caption" VARCHAR(160);

CREATE INDEX IF NOT EXISTS cases_open_deadline ON cases (deadline_at, id) WHERE status IN ('checking', 'dispatched', 'handled', 'handling', 'registered', 'reported', 'returned', 'suspended', 'verifying');

CREATE INDEX IF NOT EXISTS case_events_desk ON case_events (case_no, action, seq, role) WHERE action IN ('supervise', 'request_void', 'deny_void');

ALTER TABLE "inbound_messages" ADD COLUMN "answered_at" TIMESTAMPTZ;

CREATE INDEX IF NOT EXISTS inbound_messages_unanswered ON inbound_messages (received_at) WHERE answered_at IS NULL;
