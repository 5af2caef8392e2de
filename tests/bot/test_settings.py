"""Settings: read once, validated with the variable's name, secrets never printed."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.settings import Mode, SettingsError, load_settings, mask_url


def test_defaults_are_sandbox_on_sqlite() -> None:
    s = load_settings({})
    assert s.database_url.startswith("sqlite://") and s.database_url.endswith("var/gridline.sqlite3")
    assert s.redis_url is None and s.admin_token is None
    assert s.effective_mode is Mode.SANDBOX


def test_production_is_inferred_from_credentials() -> None:
    s = load_settings({"GRIDLINE_WECHAT_TOKEN": "t" * 10, "GRIDLINE_WECHAT_APPID": "wx123"})
    assert s.effective_mode is Mode.PRODUCTION


def test_production_without_credentials_fails_at_start() -> None:
    with pytest.raises(SettingsError, match="GRIDLINE_MODE=production"):
        load_settings({"GRIDLINE_MODE": "production"})


@pytest.mark.parametrize(("name", "value"), [
    ("GRIDLINE_DATABASE_URL", "mysql://x"),
    ("GRIDLINE_REDIS_URL", "http://x"),
    ("GRIDLINE_ADMIN_TOKEN", "short"),
    ("GRIDLINE_MODE", "staging"),
    ("GRIDLINE_SLA_SWEEP_SECONDS", "-1"),
    ("GRIDLINE_SLA_SWEEP_SECONDS", "soon"),
    ("GRIDLINE_OUTBOUND_RATES", "wechat_sc=10"),
])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_secrets_are_masked_in_repr_and_str() -> None:
    s = load_settings({"GRIDLINE_ADMIN_TOKEN": "super-secret-token-123",
                       "GRIDLINE_DATABASE_URL": "postgres://app:hunter2@db/gridline",
                       "GRIDLINE_REDIS_URL": "redis://:redispw@cache:6379/0",
                       "GRIDLINE_WECHAT_AES_KEY": "k" * 43})
    for text in (repr(s), str(s)):
        for secret in ("super-secret-token-123", "hunter2", "redispw", "k" * 43):
            assert secret not in text
    assert s.database_masked == "postgres://app:***@db/gridline"


def test_settings_are_frozen() -> None:
    s = load_settings({})
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own ValidationError
        s.log_level = "DEBUG"  # type: ignore[misc]


def test_mask_url_leaves_passwordless_urls() -> None:
    assert mask_url("sqlite:///tmp/x.sqlite3") == "sqlite:///tmp/x.sqlite3"
    assert mask_url("redis://cache:6379/0") == "redis://cache:6379/0"


SECRETS = {"GRIDLINE_ADMIN_TOKEN": "admin-secret-token-0001", "GRIDLINE_WECHAT_TOKEN": "wxtokensecret9",
           "GRIDLINE_WECHAT_APPID": "wx0001", "GRIDLINE_WECHAT_AES_KEY": "a" * 43,
           "GRIDLINE_WECHAT_SECRET": "wechat-api-secret-0002", "GRIDLINE_MP_APPID": "wx0002",
           "GRIDLINE_MP_SECRET": "mp-api-secret-0003", "GRIDLINE_MP_SESSION_SECRET": "mp-seal-secret-0004",
           "GRIDLINE_WECOM_CORP_ID": "ww0001", "GRIDLINE_WECOM_CORP_SECRET": "wecom-secret-0005",
           "GRIDLINE_WECOM_AGENT_ID": "1000002", "GRIDLINE_SMTP_URL": "smtp://mailer:smtp-pass-0006@mail.example.org",
           "GRIDLINE_REDIS_URL": "redis://:redis-pass-0007@cache:6379/0",
           "GRIDLINE_DATABASE_URL": "postgres://app:db-pass-0008@db/gridline"}
SECTIONS = ("wechat", "mp", "open311", "sla", "nlp", "surveys", "alerts", "outbox")


def _secret_values() -> list[str]:
    return ["admin-secret-token-0001", "wxtokensecret9", "a" * 43, "wechat-api-secret-0002", "mp-api-secret-0003",
            "mp-seal-secret-0004", "wecom-secret-0005", "smtp-pass-0006", "redis-pass-0007", "db-pass-0008"]


def test_no_section_shows_a_secret() -> None:
    s = load_settings(SECRETS)
    for name in SECTIONS:
        section = getattr(s, name)
        texts = [repr(section), str(section)]
        if isinstance(section, BaseModel):  # what a log line with the section's fields would show
            texts.append(section.model_dump_json())
        for text in [*texts, repr(s), str(s)]:
            for secret in _secret_values():
                assert secret not in text, f"{name} shows {secret}"


def test_sections_carry_the_settings() -> None:
    s = load_settings({**SECRETS, "GRIDLINE_SURVEY_DELAY_HOURS": "2", "GRIDLINE_ALERT_FEED_URLS": "https://a/x, https://b/y",
                       "GRIDLINE_OUTBOUND": "blackhole", "GRIDLINE_NLP_POLL_SECONDS": "3"})
    assert s.wechat.token is not None and s.wechat.token.get_secret_value() == "wxtokensecret9"
    assert s.mp.api_base == s.wechat.api_base  # the mini-program uses the account's API unless told otherwise
    assert s.surveys.delay.total_seconds() == 2 * 3600 and s.alerts.feeds == ("https://a/x", "https://b/y")
    assert s.nlp.poll_s == 3 and s.outbox.kind == "blackhole"
    assert s.outbox.wecom is not None and s.outbox.wecom_agent_id == 1000002
    assert s.outbox.mp is not None and s.outbox.mp.secret.get_secret_value() == "mp-api-secret-0003"


def test_outbox_kind_follows_the_mode_and_a_changed_copy_rebuilds_its_sections() -> None:
    s = load_settings({})
    assert s.outbox.kind == "sandbox" and s.outbox.in_process
    quiet = s.with_changes(sender_in_process=False)
    assert not quiet.outbox.in_process and s.outbox.in_process
    live = load_settings({"GRIDLINE_WECHAT_TOKEN": "t" * 10, "GRIDLINE_WECHAT_APPID": "wx123"})
    assert live.outbox.kind == "live"
