"""One frozen Settings object, read from the environment once, in the entry point.

The fields are the ``GRIDLINE_*`` variables, flat as the README lists them; features take
their typed section instead (``settings.wechat``, ``settings.outbox`` …, see ``bot.sections``).
Secrets are ``SecretStr`` so they never show up in a repr or a log line, and no
secret has a default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import webhook_config
from bot.sections import (
    AlertsSection,
    MapSection,
    MpSection,
    Open311Section,
    SlaSection,
    SurveysSection,
    WeChatSection,
    WeComSection,
    WorkerSection,
)
from intake.cases.policy import OutwardPolicy, TaskPolicy
from intake.photos import handled
from intake.stats.weights import Weights
from outbox.config import Account, Kind, OutboxConfig, SmsSetup, Upstream, check_rates
from outbox.phones import PHONE_CHANNELS
from tuning.config import TuningConfig


class Mode(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


Outbound = Literal["auto", "live", "sandbox", "blackhole"]  # auto: sandbox in sandbox mode, else live


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _default_database_url() -> str:
    return f"sqlite://{Path('var').resolve() / 'gridline.sqlite3'}"


class Settings(BaseSettings):
    """Every knob of the service; ``GRIDLINE_`` + the field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="GRIDLINE_", frozen=True, extra="ignore")

    # The service itself.
    database_url: str = Field(default_factory=_default_database_url)
    redis_url: str | None = None
    admin_token: SecretStr | None = None
    mode: Mode | None = None
    log_level: str = "INFO"
    geo_dir: Path | None = None
    # Each group below becomes one section (a property further down) that its feature's factory takes.
    # wechat: the 公众号
    wechat_token: SecretStr | None = None
    wechat_appid: str | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_budget: float = Field(default=4.0, gt=0, le=4.5)
    # mp: the mini-program
    mp_appid: str | None = None
    mp_secret: SecretStr | None = None
    mp_api_base: str | None = None
    mp_session_secret: SecretStr | None = None
    mp_session_ttl_hours: float = Field(default=168.0, gt=0)
    media_dir: Path = Path("var/media")
    behind_proxy: bool = False
    # open311
    open311_jurisdiction_id: str | None = None
    open311_public_reads: bool = False
    # sla
    sla_sweep_seconds: float = Field(default=30.0, gt=0)
    # outbox: the sender, its channels and the links in messages
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_corp_id: str | None = None
    wecom_corp_secret: SecretStr | None = None
    wecom_agent_id: int | None = None
    wecom_oauth_base: str = "https://open.weixin.qq.com"  # the authorize page of WeCom's web OAuth
    wecom_qr_base: str = "https://login.work.weixin.qq.com"  # WeCom's QR sign-in page (the console's 扫码登录)
    smtp_url: SecretStr | None = None  # smtp://user:pass@host:port?starttls=1&from=noreply@example.org
    # SMS (Tencent Cloud or Aliyun): residents who reported by phone, hotline or Open311; workers without a group
    sms_provider: Literal["none", "tencent", "aliyun"] = "none"
    sms_api_base: str = ""  # "": the provider's own endpoint
    sms_secret_id: str | None = None  # Tencent SecretId / Aliyun AccessKeyId
    sms_secret_key: SecretStr | None = None
    sms_sign_name: str | None = Field(default=None, max_length=40)
    sms_app_id: str | None = None  # Tencent's SmsSdkAppId
    sms_region: str = "ap-guangzhou"
    sms_template_id: str | None = None  # progress: {1} case number, {2} the step
    sms_staff_template_id: str | None = None  # a worker's notice: {1} the notice in short
    # 回访 by SMS (bot.sms_uplink): the question's template ({1} case number) and the key in the uplink URL
    sms_survey_template_id: str | None = None
    sms_uplink_secret: SecretStr | None = Field(default=None, min_length=16)
    # signs the links to handled photos in residents' messages (default: derived from the 公众号 secret)
    photo_link_secret: SecretStr | None = None
    outbound: Outbound = Field(default="auto")
    public_url: str = "http://127.0.0.1:8080"
    sender_in_process: bool = True
    sender_concurrency: int = Field(default=32, ge=1, le=1000)
    sender_max_attempts: int = Field(default=8, ge=1, le=100)
    # channel → messages per second, written ``wecom_robot=20,wechat_cs=100`` (NoDecode: not JSON)
    outbound_rates: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    subscribe_template_id: str | None = None
    digest_hour: int = Field(default=8, ge=0, le=23)  # local (Asia/Shanghai) hour of the daily digests
    outbox_stream: str = Field(default="gridline:outbox", min_length=1, max_length=100)  # the Redis Stream
    # nlp: the classifier's tuning loop
    model_dir: Path = Path("var/models")
    nlp_target_precision: float = Field(default=0.95, gt=0.5, le=1.0)
    nlp_keyword_bar: float = Field(default=0.8, ge=0.0, le=1.0)
    nlp_holdout_percent: int = Field(default=20, ge=0, le=50)
    nlp_poll_seconds: float = Field(default=10.0, gt=0)
    nlp_checkpoint: Path | None = None
    # serve with no model registered trains the default one in the background (bot.default_model)
    nlp_build_default: bool = True
    # surveys (see bot.sections.SurveysSection)
    survey_delay_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    survey_reminder_hours: float = Field(default=48.0, gt=0, le=24 * 30)
    survey_window_hours: float = Field(default=168.0, gt=0, le=24 * 90)
    survey_flag_rate: float = Field(default=0.30, gt=0, lt=1)
    survey_min_sample: int = Field(default=10, ge=1, le=100_000)
    survey_sweep_seconds: float = Field(default=300.0, gt=0)
    # 考核 score weights (see intake.stats.score), e.g. on_time=40,satisfaction=25,reopen=15,supervise=10,volume=10
    score_weights: str = ""
    # PIPL: ended cases older than this lose their personal data (0: kept for ever; deletion requests still served)
    retention_days: int = Field(default=1095, ge=0, le=36_500)
    # alerts (see bot.sections.AlertsSection); feed URLs comma-separated
    alert_feed_urls: str = ""
    alert_feed_seconds: float = Field(default=300.0, ge=10)
    alert_quiet_hours: str = "22:00-07:00"
    alert_timezone: str = "Asia/Shanghai"
    alert_ack_escalate_minutes: float = Field(default=60.0, gt=0)
    alert_recent_report_days: float = Field(default=30.0, ge=0)
    alert_location_max_age_hours: float = Field(default=72.0, ge=0)
    alert_cap_max_bytes: int = Field(default=256 * 1024, ge=1024, le=256 * 1024)
    # the grid/region code whose WeCom group gets Test / Exercise alerts ("" = each targeted street's)
    alert_test_group: str = Field(default="", pattern=r"^\d{0,20}$")
    # the console map's optional tile layer (see bot.sections.MapSection), e.g.
    # https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z} with datum gcj02
    map_tile_url: str = ""
    map_tile_datum: Literal["wgs84", "gcj02"] = "wgs84"
    map_tile_attribution: str = Field(default="", max_length=300)
    # worker: the grid worker's pages (see bot.sections.WorkerSection)
    worker_link_secret: SecretStr | None = None
    worker_link_ttl_hours: float = Field(default=168.0, gt=0, le=24 * 90)
    worker_session_idle_minutes: float = Field(default=720.0, gt=0, le=60 * 24 * 30)
    # case tasks (#19, see intake.cases.policy.TaskPolicy): 核实 / 核查 holders, evidence, position tolerance
    position_tolerance_m: float = Field(default=200.0, gt=0, le=100_000)
    task_evidence_required: bool = True
    verify_by: Literal["worker", "supervisor"] = "worker"
    check_by: Literal["worker", "supervisor"] = "worker"
    resident_urge_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    worker_office_hours: str = Field(default="周一至周五 9:00-18:00", max_length=100)
    auto_dispatch_departments: bool = False  # 条线分流 at intake (see intake.cases.routing)
    # reliability (#18): heavy steps (geometry repair, image re-encoding) run in worker processes with a
    # time and memory budget; an alert polygon whose edges cross more than N times is refused before repair.
    heavy_workers: int = Field(default=1, ge=1, le=64)
    heavy_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    heavy_memory_mb: int = Field(default=2048, ge=0, le=1024 * 1024)
    alert_polygon_max_crossings: int = Field(default=100, ge=0, le=100_000)
    # the upstream city platform (#19, see outbox.upstream): its Open311 GeoReport v2 base URL (before
    # requests.json), key and jurisdiction; which categories go there, ``0101=pothole,0203=streetlight``
    upstream_open311_url: str = ""
    upstream_open311_api_key: SecretStr | None = None
    upstream_open311_jurisdiction: str | None = Field(default=None, max_length=100)
    upstream_services: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    upstream_poll_seconds: float = Field(default=300.0, ge=10)
    # webhook subscribers (#19, see bot.webhook_config): a JSON list of {name, url, secret, events}
    webhooks: SecretStr | None = None
    # the audit checkpoints' external witness (#19, see intake.audit_witness): an append-only JSON-lines file
    audit_witness_file: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite://, postgres:// or postgresql://")
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _tile_url(cls, value: str) -> str:
        from yarl import URL

        value = value.strip()
        if value and (not value.startswith(("http://", "https://")) or not all(k in value for k in "xyz")
                      or "{z}" not in value or not URL(value.replace("{", "").replace("}", "")).host):
            raise ValueError("must be an http(s):// URL template with {z}, {x} and {y}")
        return value

    @field_validator("score_weights")
    @classmethod
    def _score_weights(cls, value: str) -> str:
        Weights.parse(value)  # a ValueError names the bad weight
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("alert_quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        import re

        if value.strip() and not re.fullmatch(r"\s*([01]\d|2[0-3]):[0-5]\d\s*-\s*([01]\d|2[0-3]):[0-5]\d\s*", value):
            raise ValueError("must look like 22:00-07:00 (or be empty for none)")
        return value

    @field_validator("alert_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("alert_feed_urls")
    @classmethod
    def _feed_urls(cls, value: str) -> str:
        if any(not u.strip().startswith(("http://", "https://")) for u in value.split(",") if u.strip()):
            raise ValueError("must be comma-separated http(s):// URLs")
        return value

    @field_validator("outbound_rates", "upstream_services", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        """``wecom_robot=20,wechat_cs=100`` (messages per second per channel, all processes together), or
        ``0101=pothole`` (category code = upstream service code)."""
        if isinstance(value, str):
            pairs = [p.partition("=") for p in value.split(",") if p.strip()]
            if any(not sep or not name.strip() or not got.strip() for name, sep, got in pairs):
                raise ValueError("must look like name=value,name=value")
            return {name.strip(): got.strip() for name, _, got in pairs}
        return value

    @field_validator("upstream_open311_url")
    @classmethod
    def _upstream_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return value

    @field_validator("outbound_rates")
    @classmethod
    def _positive_rates(cls, value: dict[str, float]) -> dict[str, float]:
        if any(rate <= 0 for rate in value.values()):
            raise ValueError("rates must be positive")
        check_rates(value)  # at start, naming the variable, not when the outbox is first built
        return value

    @field_validator("admin_token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("webhooks")
    @classmethod
    def _webhooks(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            webhook_config.parse(value.get_secret_value())  # at start, naming the variable
        return value

    @model_validator(mode="after")
    def _upstream_complete(self) -> Settings:
        key = self.upstream_open311_api_key
        if self.upstream_open311_url and (key is None or not key.get_secret_value() or not self.upstream_services):
            raise ValueError("GRIDLINE_UPSTREAM_OPEN311_URL needs GRIDLINE_UPSTREAM_OPEN311_API_KEY and "
                             "GRIDLINE_UPSTREAM_SERVICES")
        return self

    @model_validator(mode="after")
    def _production_needs_credentials(self) -> Settings:
        if self.mode is Mode.PRODUCTION and not self.has_wechat_credentials:
            raise ValueError("GRIDLINE_MODE=production needs GRIDLINE_WECHAT_TOKEN and GRIDLINE_WECHAT_APPID")
        return self

    @model_validator(mode="after")
    def _sms_complete(self) -> Settings:
        if self.sms_provider == "none":
            return self
        needed = {"GRIDLINE_SMS_SECRET_ID": self.sms_secret_id, "GRIDLINE_SMS_SECRET_KEY": self.sms_secret_key,
                  "GRIDLINE_SMS_SIGN_NAME": self.sms_sign_name, "GRIDLINE_SMS_TEMPLATE_ID": self.sms_template_id}
        if self.sms_provider == "tencent":
            needed["GRIDLINE_SMS_APP_ID"] = self.sms_app_id
        missing = [name for name, value in needed.items() if not value]
        if missing:
            raise ValueError(f"GRIDLINE_SMS_PROVIDER={self.sms_provider} needs {', '.join(missing)}")
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

    # The sections: what each feature's factory takes, each built once on first use. A changed copy
    # must be validated afresh (``with_changes``): ``model_copy`` would carry the cached sections over.
    @cached_property
    def wechat(self) -> WeChatSection:
        return WeChatSection(appid=self.wechat_appid, token=self.wechat_token, aes_key=self.wechat_aes_key,
                             secret=self.wechat_secret, api_base=self.wechat_api_base,
                             reply_budget_s=self.wechat_reply_budget)

    @cached_property
    def mp(self) -> MpSection:
        return MpSection(appid=self.mp_appid, secret=self.mp_secret, api_base=self.mp_api_base or self.wechat_api_base,
                         session_secret=self.mp_session_secret, session_ttl=timedelta(hours=self.mp_session_ttl_hours),
                         media_dir=self.media_dir, behind_proxy=self.behind_proxy)

    @cached_property
    def open311(self) -> Open311Section:
        return Open311Section(jurisdiction_id=self.open311_jurisdiction_id, public_reads=self.open311_public_reads)

    @cached_property
    def score(self) -> Weights:
        """The 考核 score's weights (the defaults for names not given)."""
        return Weights.parse(self.score_weights)

    @cached_property
    def map(self) -> MapSection:
        return MapSection(tile_url=self.map_tile_url, tile_datum=self.map_tile_datum,
                          tile_attribution=self.map_tile_attribution)

    @cached_property
    def sla(self) -> SlaSection:
        return SlaSection(sweep_s=self.sla_sweep_seconds)

    @cached_property
    def nlp(self) -> TuningConfig:
        return TuningConfig(self.model_dir, self.nlp_target_precision, self.nlp_holdout_percent, self.nlp_checkpoint,
                            self.nlp_keyword_bar, self.nlp_poll_seconds)

    @cached_property
    def surveys(self) -> SurveysSection:
        return SurveysSection(delay=timedelta(hours=self.survey_delay_hours),
                              reminder_after=timedelta(hours=self.survey_reminder_hours),
                              window=timedelta(hours=self.survey_window_hours), flag_rate=self.survey_flag_rate,
                              min_sample=self.survey_min_sample, sweep_s=self.survey_sweep_seconds,
                              texted=PHONE_CHANNELS if self.sms_surveys else frozenset())

    @property
    def sms_surveys(self) -> bool:
        """Callers are asked by SMS only where they can answer: a provider, the template and the uplink."""
        return self._sms() is not None and bool(self.sms_survey_template_id) and self.sms_uplink_secret is not None

    @cached_property
    def alerts(self) -> AlertsSection:
        return AlertsSection(
            feeds=tuple(u.strip() for u in self.alert_feed_urls.split(",") if u.strip()),
            feed_s=self.alert_feed_seconds, quiet_hours=self.alert_quiet_hours, timezone=self.alert_timezone,
            ack_escalate=timedelta(minutes=self.alert_ack_escalate_minutes),
            recent_report_days=self.alert_recent_report_days, location_max_age_h=self.alert_location_max_age_hours,
            cap_max_bytes=self.alert_cap_max_bytes, test_group=self.alert_test_group)

    @cached_property
    def tasks(self) -> TaskPolicy:
        return TaskPolicy(tolerance_m=self.position_tolerance_m, evidence_required=self.task_evidence_required,
                          verify_by=self.verify_by, check_by=self.check_by,
                          resident_urge_hours=self.resident_urge_hours, office_hours=self.worker_office_hours,
                          auto_dispatch_departments=self.auto_dispatch_departments)

    @cached_property
    def worker(self) -> WorkerSection:
        return WorkerSection(link_secret=self.worker_link_secret, link_ttl=timedelta(hours=self.worker_link_ttl_hours),
                             session_idle=timedelta(minutes=self.worker_session_idle_minutes),
                             secure_cookies=self.public_url.lower().startswith("https://"))

    @cached_property
    def wecom(self) -> WeComSection:
        return WeComSection(corp_id=self.wecom_corp_id, agent_id=self.wecom_agent_id, secret=self.wecom_corp_secret,
                            api_base=self.wecom_api_base, oauth_base=self.wecom_oauth_base,
                            qr_base=self.wecom_qr_base)

    @cached_property
    def outbox(self) -> OutboxConfig:
        return OutboxConfig(
            kind=self._outbound_kind(), public_url=self.public_url, subscribe_template_id=self.subscribe_template_id,
            redis_url=self.redis_url, stream=self.outbox_stream, rates=dict(self.outbound_rates),
            concurrency=self.sender_concurrency, max_attempts=self.sender_max_attempts,
            wecom_api_base=self.wecom_api_base,
            wechat=_account(self.wechat_api_base, self.wechat_appid, self.wechat_secret),
            mp=_account(self.mp_api_base or self.wechat_api_base, self.mp_appid, self.mp_secret),
            wecom=_account(self.wecom_api_base, self.wecom_corp_id, self.wecom_corp_secret),
            wecom_agent_id=self.wecom_agent_id, smtp_url=self.smtp_url, in_process=self.sender_in_process,
            digest_hour=self.digest_hour, sms=self._sms(), photo_link_key=self.photo_link_key,
            upstream=self._upstream(), webhooks=self._hooks.targets, witness_file=self.audit_witness_file)

    def _upstream(self) -> Upstream | None:
        if not self.upstream_open311_url or self.upstream_open311_api_key is None:
            return None
        return Upstream(self.upstream_open311_url, self.upstream_open311_api_key, self.upstream_open311_jurisdiction)

    @cached_property
    def outward(self) -> OutwardPolicy:
        """Which cases the upstream platform gets (none unless it is configured), which steps each webhook
        subscriber hears of."""
        witnesses = [("subscriber", name) for name, steps in self._hooks.events.items() if "checkpoint" in steps]
        if self.audit_witness_file is not None:
            witnesses.insert(0, ("witness", "file"))
        return OutwardPolicy(upstream=dict(self.upstream_services) if self._upstream() else {},
                             webhooks=self._hooks.events, witnesses=tuple(witnesses))

    @cached_property
    def _hooks(self) -> webhook_config.Hooks:
        return webhook_config.parse(self.webhooks.get_secret_value() if self.webhooks else "")

    @property
    def photo_link_key(self) -> bytes | None:
        """The key of the handled-photo links, the same in the web app and every sender process."""
        secret = self.photo_link_secret or self.wechat_secret
        return handled.link_key(secret.get_secret_value()) if secret is not None else None

    def _sms(self) -> SmsSetup | None:
        if self.sms_provider == "none" or self.sms_secret_key is None:
            return None
        return SmsSetup(self.sms_provider, self.sms_secret_id or "", self.sms_secret_key, self.sms_sign_name or "",
                        self.sms_template_id or "", self.sms_staff_template_id, self.sms_app_id or "",
                        self.sms_region, self.sms_api_base, self.sms_survey_template_id)

    def _outbound_kind(self) -> Kind:
        """``auto``: sandbox in sandbox mode, else live."""
        if self.outbound != "auto":
            return self.outbound
        return "sandbox" if self.effective_mode is Mode.SANDBOX else "live"

    def with_changes(self, **changes: Any) -> Settings:
        """A validated copy with some fields changed, its sections built from the new values."""
        return Settings.model_validate({**self.model_dump(), **changes})

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


def _account(api_base: str, appid: str | None, secret: SecretStr | None) -> Account | None:
    return Account(api_base, appid, secret) if appid and secret else None


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
