"""Typed application state (``web.AppKey``), set only by the app factory."""

from __future__ import annotations

from aiohttp import web

from bot.metrics import Metrics
from bot.settings import Settings
from bot.storage.base import KeyValueStore
from intake.cases.context import CaseContext
from notify.recording import RecordingNotifier

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
KV = web.AppKey("kv", KeyValueStore)
CASES = web.AppKey("cases", CaseContext)
RECORDER = web.AppKey("recorder", RecordingNotifier)
