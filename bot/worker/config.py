"""The worker pages' configuration, made once from ``settings.worker`` when the app is built."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from bot.sections import WorkerSection

log = logging.getLogger("gridline.worker")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    link_key: bytes = field(repr=False)
    link_ttl: timedelta = timedelta(days=7)
    session_idle: timedelta = timedelta(hours=12)
    secure_cookies: bool = False

    @classmethod
    def of(cls, section: WorkerSection) -> WorkerConfig:
        if section.link_secret is None:
            # Links signed before a restart (or by another process) stop working: fine for a demo only.
            log.warning("GRIDLINE_WORKER_LINK_SECRET is not set: signed task-card links use a random key "
                        "and stop working at the next start")
            key = secrets.token_bytes(32)
        else:
            key = section.link_secret.get_secret_value().encode()
        return cls(key, section.link_ttl, section.session_idle, section.secure_cookies)
