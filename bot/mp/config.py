"""The mini-program's configuration, one frozen value built by the app factory.

Kept apart from ``Settings`` so the mini-program's code and tests need only
this; ``MpConfig.of`` fills it from the settings' ``mp`` section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from bot.sections import MpSection


@dataclass(frozen=True, slots=True)
class Limits:
    """Fixed-window rate limits: per resident (openid) and per client IP address."""

    reports_per_day: int = 20
    reports_per_day_ip: int = 200
    media_per_hour: int = 60
    media_per_hour_ip: int = 600
    logins_per_hour_ip: int = 600


@dataclass(frozen=True, slots=True)
class MpConfig:
    """``appid``/``secret`` unset: login answers 503 (the mini-program is not configured)."""

    appid: str | None = None
    secret: str | None = field(default=None, repr=False)
    api_base: str = "https://api.weixin.qq.com"
    # Encrypts WeChat's session_key at rest; unset, a random key per process (old sessions' keys
    # become unreadable after a restart, which loses nothing: gridline never needs them back).
    session_secret: str | None = field(default=None, repr=False)
    session_ttl_s: float = 7 * 24 * 3600
    media_dir: Path = Path("var/media")
    media_max_bytes: int = 5 * 1024 * 1024
    media_max_pixels: int = 50_000_000
    templates: tuple[str, ...] = ()  # subscription template ids the account uses (empty: any)
    limits: Limits = Limits()
    wechat_timeout_s: float = 5.0
    # True only behind a reverse proxy that sets X-Forwarded-For: per-IP limits then use the client's address.
    behind_proxy: bool = False

    @classmethod
    def of(cls, section: MpSection) -> MpConfig:
        """The secrets are unwrapped here, into fields kept out of the repr, for the API client and the sealer."""
        def reveal(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return cls(appid=section.appid, secret=reveal(section.secret), api_base=section.api_base,
                   session_secret=reveal(section.session_secret), session_ttl_s=section.session_ttl.total_seconds(),
                   media_dir=section.media_dir, behind_proxy=section.behind_proxy)

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret)
