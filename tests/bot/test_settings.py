"""Settings: read once, validated with the variable's name, secrets never printed."""

from __future__ import annotations

import pytest

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
