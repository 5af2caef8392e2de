"""Worker page sessions: the shared :mod:`bot.web.session` under the ``worker`` namespace and cookie."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.storage.base import KeyValueStore
from bot.web.session import FLASH_TTL_S, Session
from bot.web.session import Sessions as _Sessions

__all__ = ["COOKIE", "FLASH_TTL_S", "Session", "Sessions"]
COOKIE = "gl_worker"


class Sessions(_Sessions):
    def __init__(self, kv: KeyValueStore, idle: timedelta, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(kv, idle, "worker", clock)
