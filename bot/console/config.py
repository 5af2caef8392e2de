"""The console's configuration, made once when the app is built (defaults until ``settings.console`` exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    # A desk screen is shared more often than a phone: a short idle timeout.
    session_idle: timedelta = timedelta(minutes=30)
    secure_cookies: bool = False
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    # The map's optional tile layer (bot.sections.MapSection): empty draws the grid's own cells only.
    tile_url: str = ""
    tile_datum: str = "wgs84"
    tile_attribution: str = ""
