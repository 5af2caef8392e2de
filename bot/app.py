"""The app factory: the only composition root.

Resources live in ``cleanup_ctx`` so they close in reverse order on shutdown;
state is reached through ``web.AppKey``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

from aiohttp import web

from bot import admin, console, logfilter, middlewares, open311, outbound_app, periodic, sms_uplink, welcome, worker
from bot import mp as miniprogram
from bot.alerts import build_alerts
from bot.alerts import jobs as alert_jobs
from bot.composition import SWEEP_LOCK, build_context, refresh_taxonomy, sla_sweep
from bot.console.config import ConsoleConfig
from bot.default_model import BuildDefault
from bot.default_model import lifetime as default_model
from bot.demo import is_empty, load_demo
from bot.heavy import heavy_pool
from bot.keys import (
    ALERTS,
    CASES,
    HEAVY,
    KV,
    LISTENING,
    METRICS,
    OUTBOUND,
    RECORDER,
    SERVING,
    SETTINGS,
    TASKS,
    TUNING,
    WECHAT,
    WECHAT_DIALOGUE,
    WECHAT_REDELIVERY,
)
from bot.metrics import Metrics
from bot.sandbox import STATIC_DIR as SANDBOX_STATIC
from bot.sandbox import views as sandbox_views
from bot.settings import Mode, Settings
from bot.storage.base import KeyValueStore
from bot.storage.database import DatabaseStore
from bot.storage.fallback import FallbackStore
from bot.storage.memory import MemoryStore
from bot.storage.redis import RedisStore
from bot.surveys import SWEEP_LOCK as SURVEY_LOCK
from bot.surveys import policy as survey_policy
from bot.surveys import send_reminders
from bot.views import health
from bot.web import handled as handled_photos
from bot.web import watermarks, wecom
from bot.wechat import WeChatConfig
from bot.wechat import recovery as wechat_recovery
from bot.wechat import view as wechat_view
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.outbox_dialogue import OutboxDialogue
from bot.wechat.redelivery import Redelivery
from intake.audit_checkpoint import checkpoint_job
from intake.cases.context import Clock, utc_now
from intake.privacy import retention
from intake.stats import rollup
from intake.store import db
from notify.open311 import Open311Client
from notify.recording import RecordingNotifier
from notify.wechat import WeChatClient
from outbox import media_fetch, upstream
from outbox import periodic as outbound_periodic
from outbox.alert_delivery import OutboxDelivery
from outbox.notifier import OutboxNotifier
from tuning.runtime import poll as poll_models
from tuning.runtime import tuning as tuning_runtime

log = logging.getLogger("gridline.app")
MAX_BODY = 256 * 1024


def create_app(settings: Settings, *, clock: Clock | None = None, sweeper: bool = True,
               own_database: bool = True, mp: miniprogram.MpConfig | None = None,
               open311_config: open311.Open311Config | None = None, sender: bool | None = None,
               build_default: BuildDefault | None = None, load_later: bool = False) -> web.Application:
    """Compose the service. Tests pass ``own_database=False`` to share a connection they opened.

    ``build_default``: with no model registered, build the default one in the background (``gridline
    serve`` asks, as GRIDLINE_NLP_BUILD_DEFAULT says; an app in a test does not unless it passes one).
    ``load_later``: load the active model once the server listens (``LISTENING``, set by ``bot.runner``), the
    keyword matcher answering meanwhile; the default model's build starts then too (``serve``).

    ``sender``: run the outbox relay and sender in this process (default: GRIDLINE_SENDER_IN_PROCESS,
    and never for an app sharing a test's connection).
    """
    logfilter.install()  # never a request header's value in aiohttp's own log lines
    app = web.Application(
        middlewares=[middlewares.request_context, middlewares.errors],
        client_max_size=MAX_BODY,
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics.create()
    app[RECORDER] = RecordingNotifier()
    app[WECHAT] = WeChatConfig.of(settings.wechat)
    app[TASKS] = set()
    app[LISTENING] = asyncio.Event()
    app.cleanup_ctx.append(_storage)
    app.cleanup_ctx.append(heavy_pool)
    if own_database:
        app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_services(clock))
    app.cleanup_ctx.append(partial(_tuning, load_later=load_later))
    app.cleanup_ctx.append(default_model(build_default, app[LISTENING].wait if load_later else None))
    app.cleanup_ctx.append(outbound_app.outbound(clock, settings.outbox.in_process and own_database
                                                 if sender is None else sender))
    app.cleanup_ctx.append(_tasks)
    app.cleanup_ctx.append(wecom.lifetime)  # the WeCom sign-ins' client (worker OAuth, console QR)
    if sweeper:
        app.cleanup_ctx.append(periodic.running(_jobs))
    app.add_routes(health.routes)
    app.add_routes(wechat_view.routes)
    app.add_routes(welcome.routes)  # "/": the sandbox, or a landing text
    app.add_routes(handled_photos.routes)  # the signed links to handled photos in residents' messages
    app.add_routes(sms_uplink.routes)  # replies to the 回访 SMS, pushed by the provider
    # Each channel is a sub-application at its prefix; shared state stays here, reached as request.config_dict.
    # Reserved for the next issue: bot.console (/console), mounted the same way.
    app.add_subapp(admin.PREFIX, admin.build())
    app.add_subapp(worker.PREFIX, worker.build(settings.worker))
    app.add_subapp(console.PREFIX, console.build(ConsoleConfig(
        secure_cookies=settings.worker.secure_cookies, tile_url=settings.map.tile_url,
        tile_datum=settings.map.tile_datum, tile_attribution=settings.map.tile_attribution)))
    miniprogram.setup(app, mp or miniprogram.MpConfig.of(settings.mp))
    app.add_subapp(open311.PREFIX, open311.build(open311_config or open311.Open311Config.of(settings.open311)))
    if settings.effective_mode is Mode.SANDBOX:  # the simulator hands out the token: never in production
        app.add_routes(sandbox_views.routes)
        app.router.add_static("/sandbox/static", SANDBOX_STATIC)
    return app


async def _storage(app: web.Application) -> AsyncIterator[None]:
    url = app[SETTINGS].redis_url
    # With Redis configured, the database stands in for it during an outage (bot.storage.fallback).
    store: KeyValueStore = FallbackStore(RedisStore(url), DatabaseStore()) if url else MemoryStore()
    if url and not await store.ping():
        log.warning("redis is not reachable at start; /healthz reports it", extra={"redis": "down"})
    app[KV] = store
    yield
    await store.close()


async def _database(app: web.Application) -> AsyncIterator[None]:
    await db.open_db(app[SETTINGS].database_url)
    yield
    await db.close_db()


def _services(clock: Clock | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def services(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        if settings.effective_mode is Mode.SANDBOX and await is_empty():
            await load_demo(settings.geo_dir, Path("var/demo-tokens.json"), replace=False,
                            groups=settings.outbox.kind == "sandbox")
        notifier = OutboxNotifier(clock or utc_now, mirror=app[RECORDER])  # the recorder feeds /sandbox
        domain = await build_context(notifier, clock, surveys=survey_policy(settings.surveys),
                                     keyword_bar=settings.nlp.keyword_bar, tasks=settings.tasks,
                                     outward=settings.outward)
        app[CASES], app[SERVING] = domain.ctx, domain.serving
        app[ALERTS] = build_alerts(settings.alerts, app[CASES], delivery=OutboxDelivery(), heavy=app[HEAVY],
                                   max_crossings=settings.alert_polygon_max_crossings)
        app[WECHAT_DIALOGUE] = OutboxDialogue(app[CASES], DraftStore(app[KV]), build_router())
        app[WECHAT_REDELIVERY] = Redelivery(app[KV])
        lease = asyncio.create_task(app[WECHAT_REDELIVERY].keep_lease())  # its claims die with this process
        log.info("services built", extra={"mode": str(settings.effective_mode),
                                          "database": settings.database_masked,
                                          "redis": "configured" if settings.redis_url else "absent",
                                          "cells": len(app[CASES].grid.index)})
        yield
        lease.cancel()

    return services


async def _tasks(app: web.Application) -> AsyncIterator[None]:
    yield
    # Let answers in flight finish (they may push a customer-service message), within reason.
    running = app[TASKS]
    pending = list(running)
    if pending:
        await asyncio.wait(pending, timeout=5)


def _jobs(app: web.Application) -> list[periodic.Job]:
    ctx, settings, every = app[CASES], app[SETTINGS], app[SETTINGS].sla.sweep_s
    return [
        periodic.Job("sla sweep", every, partial(sla_sweep, ctx, app[METRICS]), SWEEP_LOCK),
        # Each process refreshes its own copy of the taxonomy.
        periodic.Job("taxonomy refresh", every, partial(refresh_taxonomy, ctx, app[SERVING])),
        periodic.Job("task reminders and digests", every, outbound_periodic.job_body(ctx, settings.outbox.digest_hour),
                     outbound_periodic.LOCK),
        periodic.Job("survey reminders", settings.surveys.sweep_s, partial(send_reminders, ctx),
                     SURVEY_LOCK),
        *alert_jobs(app[ALERTS], settings.alerts),
        periodic.Job("staff photo watermarks", every, watermarks.job_body(app), watermarks.LOCK),
        periodic.Job("公众号 photo fetch", every, media_fetch.job_body(lambda: _wechat_api(app), settings.media_dir,
                                                                  ctx.clock), media_fetch.LOCK),
        # The statistics' daily rollup: touched days rebuilt, missing days added (intake.stats.rollup).
        periodic.Job("statistics rollup", 60, lambda: rollup.refresh(ctx.clock()), "lock:stats-rollup",
                     wait_first=True),
        periodic.Job("upstream Open311 statuses", settings.upstream_poll_seconds,
                     upstream.job_body(lambda: _upstream_api(app), ctx.clock), upstream.LOCK),
        periodic.Job("audit checkpoint", 3600, partial(checkpoint_job, ctx.clock, ctx.notifier,
                                                       ctx.outward.witnesses), "lock:audit-checkpoint"),
        periodic.Job("公众号 half-done turns", wechat_recovery.EVERY, partial(wechat_recovery.recover, app),
                     wechat_recovery.LOCK),
        periodic.Job("personal data retention", 3600, partial(retention.run, ctx, settings.retention_days,
                                                               settings.media_dir), "lock:retention"),
        # Each process serves its own copy of the active model: no lock.
        periodic.Job("classifier refresh", settings.nlp.poll_s, partial(poll_models, app[TUNING])),
    ]


def _upstream_api(app: web.Application) -> Open311Client | None:
    outbound = app.get(OUTBOUND)
    return outbound.upstream if outbound is not None else None


def _wechat_api(app: web.Application) -> WeChatClient | None:
    outbound = app.get(OUTBOUND)
    return outbound.wechat if outbound is not None else None


async def _tuning(app: web.Application, *, load_later: bool) -> AsyncIterator[None]:
    """The serving classifier's models and retrain jobs (the registry poll is a periodic job)."""
    after = app[LISTENING].wait if load_later else None
    async with tuning_runtime(app[CASES], app[SERVING], app[SETTINGS].nlp, load_after=after) as state:
        app[TUNING] = state
        yield
