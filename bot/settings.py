"""One frozen Settings object, read from the environment once, in the entry point.

Secrets are ``SecretStr`` so they never show up in a repr or a log line, and no
secret has a default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _default_database_url() -> str:
    return f"sqlite://{Path('var').resolve() / 'gridline.sqlite3'}"


class Settings(BaseSettings):
    """Every knob of the service; ``GRIDLINE_`` + the field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="GRIDLINE_", frozen=True, extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    redis_url: str | None = None
    admin_token: SecretStr | None = None
    mode: Mode | None = None
    wechat_token: SecretStr | None = None
    wechat_appid: str | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    mp_appid: str | None = None
    mp_secret: SecretStr | None = None
    mp_api_base: str | None = None
    mp_session_secret: SecretStr | None = None
    mp_session_ttl_hours: float = Field(default=168.0, gt=0)
    media_dir: Path = Path("var/media")
    behind_proxy: bool = False
    open311_jurisdiction_id: str | None = None
    open311_public_reads: bool = False
    geo_dir: Path | None = None
    sla_sweep_seconds: float = Field(default=30.0, gt=0)
    wechat_reply_budget: float = Field(default=4.0, gt=0, le=4.5)
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite://, postgres:// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("admin_token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @model_validator(mode="after")
    def _production_needs_credentials(self) -> Settings:
        if self.mode is Mode.PRODUCTION and not self.has_wechat_credentials:
            raise ValueError("GRIDLINE_MODE=production needs GRIDLINE_WECHAT_TOKEN and GRIDLINE_WECHAT_APPID")
        return self

    @property
    def has_wechat_credentials(self) -> bool:
        return self.wechat_token is not None and self.wechat_appid is not None

    @property
    def effective_mode(self) -> Mode:
        """Sandbox when asked for, or when no WeChat credentials are set."""
        if self.mode is not None:
            return self.mode
        return Mode.PRODUCTION if self.has_wechat_credentials else Mode.SANDBOX

    @property
    def database_masked(self) -> str:
        """The database URL without its password, for logs."""
        return mask_url(self.database_url)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # URLs may carry passwords: show them masked, like the SecretStr fields.
        for name, value in super().__repr_args__():
            if name in ("database_url", "redis_url") and isinstance(value, str):
                value = mask_url(value)
            yield name, value


def mask_url(url: str) -> str:
    """``scheme://user:***@host/...`` — the password replaced, the rest kept."""
    head, sep, tail = url.rpartition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, userinfo = head.partition("://")
    if ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':')[0]}:***@{tail}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings; a bad value raises :class:`SettingsError` naming the variable."""
    try:
        if environ is None:
            return Settings()
        env = {k[len("GRIDLINE_"):].lower(): v for k, v in environ.items() if k.startswith("GRIDLINE_")}
        return Settings.model_validate(env)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"GRIDLINE_{field.upper()}" if field != "settings" else "settings"
            problems.append(f"{name}: {err['msg']}")
        raise SettingsError("; ".join(problems)) from None
