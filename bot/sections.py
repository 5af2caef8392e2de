"""Configuration per feature: typed, frozen sections of :class:`bot.settings.Settings`.

The ``GRIDLINE_*`` variables stay flat (they are the operator's interface, listed in the README);
``Settings`` reads them once and hands each feature's factory only its own section, e.g.
``settings.mp`` or ``settings.alerts``. Secrets stay :class:`SecretStr` until the line that uses them.

Packages that do not live in ``bot/`` own their section type so they need nothing from it:
the outbox (``outbox.config``) and the classifier's tuning (``tuning.config``).
This module imports nothing of ours, so any feature may import it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)


class WeChatSection(Section):
    """The 公众号: the callback's token and EncodingAESKey, the API's appid and secret."""

    appid: str | None = None
    token: SecretStr | None = None
    aes_key: SecretStr | None = None
    secret: SecretStr | None = None
    api_base: str = "https://api.weixin.qq.com"
    reply_budget_s: float = 4.0  # answer in the callback within this, else by customer-service message

    @property
    def api_secret(self) -> str | None:
        """The API secret when the API is usable (appid and secret both set)."""
        return self.secret.get_secret_value() if self.appid and self.secret else None


class MpSection(Section):
    """The mini-program: its API credentials, the session seal, where photos go."""

    appid: str | None = None
    secret: SecretStr | None = None
    api_base: str = "https://api.weixin.qq.com"
    session_secret: SecretStr | None = None
    session_ttl: timedelta = timedelta(days=7)
    media_dir: Path = Path("var/media")
    behind_proxy: bool = False  # True only behind a proxy that sets X-Forwarded-For


class Open311Section(Section):
    jurisdiction_id: str | None = None
    public_reads: bool = False


class SlaSection(Section):
    """The period of the SLA sweep, which also paces the taxonomy refresh and the task digests."""

    sweep_s: float = 30.0


class SurveysSection(Section):
    """Asked ``delay`` after 结案, reminded ``reminder_after`` later, chat answers matched within ``window``;
    a 不满意率 above ``flag_rate`` over at least ``min_sample`` answers flags the department."""

    delay: timedelta = timedelta(hours=24)
    reminder_after: timedelta = timedelta(hours=48)
    window: timedelta = timedelta(hours=168)
    flag_rate: float = 0.30
    min_sample: int = 10
    sweep_s: float = 300.0
    texted: frozenset[str] = frozenset()  # channels asked by SMS (phone, hotline), answered by the uplink


class AlertsSection(Section):
    """CAP feeds and their period, quiet hours for non-red alerts, when silent cells escalate."""

    feeds: tuple[str, ...] = ()
    feed_s: float = 300.0
    quiet_hours: str = "22:00-07:00"  # local time in ``timezone``; "" for none
    timezone: str = "Asia/Shanghai"
    ack_escalate: timedelta = timedelta(minutes=60)
    recent_report_days: float = 30.0
    location_max_age_h: float = 72.0
    cap_max_bytes: int = 256 * 1024
    test_group: str = ""  # grid/region code whose group gets Test / Exercise alerts; "" = each street's


class MapSection(Section):
    """The console map's optional tile layer: a URL template (``{z}/{x}/{y}``, ``{s}`` for subdomains), the
    datum its tiles are drawn in (高德 and most Chinese maps: ``gcj02``; 天地图 and OSM: ``wgs84``) and the
    attribution its licence asks for. Without a template the map draws the grid's own cells only."""

    tile_url: str = ""
    tile_datum: str = "wgs84"
    tile_attribution: str = ""


class WorkerSection(Section):
    """The grid worker's pages: the key of signed task-card links (a random one per start when unset),
    how long a link and an idle session last, whether cookies are HTTPS-only."""

    link_secret: SecretStr | None = None
    link_ttl: timedelta = timedelta(days=7)
    session_idle: timedelta = timedelta(hours=12)
    secure_cookies: bool = False


class WeComSection(Section):
    """The WeCom corp and application (自建应用) the worker pages sign in through (网页授权, snsapi_base): the
    corp id, the application's agent id and secret (the same ones its messages use), the API and the
    authorize page's base URLs. Unset corp id or secret: no WeCom sign-in, the page offers links and codes."""

    corp_id: str | None = None
    agent_id: int | None = None
    secret: SecretStr | None = None
    api_base: str = "https://qyapi.weixin.qq.com"
    oauth_base: str = "https://open.weixin.qq.com"
    qr_base: str = "https://login.work.weixin.qq.com"  # the console's QR sign-in page (扫码登录)

    @property
    def oauth_ready(self) -> bool:
        return bool(self.corp_id and self.secret and self.agent_id is not None)
