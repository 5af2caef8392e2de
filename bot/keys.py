"""Typed application state (``web.AppKey``), set only by the app factory."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from bot.metrics import Metrics
from bot.settings import Settings
from bot.storage.base import KeyValueStore
from bot.wechat import WeChatConfig
from bot.wechat.redelivery import Redelivery
from bot.wechat.service import Dialogue
from intake.alerts.service import AlertService
from intake.cases.context import CaseContext
from intake.heavy import HeavyPool
from notify.recording import RecordingNotifier
from outbox.runner import Outbound
from tuning.runtime import Tuning
from tuning.serving import ServingClassifier

if TYPE_CHECKING:
    from bot.default_model import DefaultBuild

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
KV = web.AppKey("kv", KeyValueStore)
CASES = web.AppKey("cases", CaseContext)
RECORDER = web.AppKey("recorder", RecordingNotifier)
TASKS = web.AppKey("tasks", set[asyncio.Task[str]])
WECHAT = web.AppKey("wechat", WeChatConfig)
WECHAT_DIALOGUE = web.AppKey("wechat_dialogue", Dialogue)
WECHAT_REDELIVERY = web.AppKey("wechat_redelivery", Redelivery)
ALERTS = web.AppKey("alerts", AlertService)
SERVING = web.AppKey("serving", ServingClassifier)  # the classifier CASES classifies through
TUNING = web.AppKey("tuning", Tuning)
OUTBOUND = web.AppKey("outbound", Outbound)
HEAVY = web.AppKey("heavy", HeavyPool)
HEAVY_LATER = web.AppKey("heavy_later", HeavyPool)  # work after the answer: never queued before a request's
# set by bot.runner once the server listens: what start-up to ready need not wait for starts then
LISTENING = web.AppKey("listening", asyncio.Event)
# the default model's background build (its module reads the keys above: named for the type checker only)
DEFAULT_BUILD: web.AppKey[DefaultBuild] = web.AppKey("default_build")
