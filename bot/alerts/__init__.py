"""Alerts on the people-facing side: building the service from settings, the periodic jobs, the CLI replay."""

from __future__ import annotations

import asyncio
import logging
import uuid

from bot.settings import Settings
from bot.storage.base import KeyValueStore
from intake.alerts.acks import escalate_silent
from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.ports import DeliveryReader
from intake.alerts.service import AlertService
from intake.alerts.signals import catalogue
from intake.cases.context import CaseContext

log = logging.getLogger("gridline.alerts")
JOBS_LOCK = "lock:alert-jobs"
JOB_SECONDS = 60.0


def policy_of(settings: Settings) -> AlertPolicy:
    return AlertPolicy(QuietHours.parse(settings.alert_quiet_hours, settings.alert_timezone),
                       recent_report_days=settings.alert_recent_report_days,
                       location_max_age_h=settings.alert_location_max_age_hours,
                       ack_escalate_minutes=settings.alert_ack_escalate_minutes)


def build_alerts(settings: Settings, ctx: CaseContext, delivery: DeliveryReader | None = None) -> AlertService:
    """``delivery`` is the outbox's read side when it is wired; without it coverage shows targeted only."""
    return AlertService(ctx.grid, ctx.notifier, ctx.clock, policy_of(settings), catalogue(), delivery)


async def run_jobs(service: AlertService, settings: Settings, kv: KeyValueStore) -> None:
    """Every minute, one process (the lock holder) escalates silent cells; feeds are polled on their own period."""
    from datetime import timedelta

    from bot.alerts.feeds import FeedPoller

    me, poller = uuid.uuid4().hex, FeedPoller(service, settings.alert_feeds)
    delay = timedelta(minutes=settings.alert_ack_escalate_minutes)
    ticks_per_poll = max(1, round(settings.alert_feed_seconds / JOB_SECONDS))
    tick = 0
    while True:
        try:
            if await kv.set_if_absent(JOBS_LOCK, me, ttl_seconds=JOB_SECONDS * 2):
                try:
                    raised = await escalate_silent(service.notifier, service.clock(), delay)
                    if raised:
                        log.info("alert cells escalated", extra={"streets": raised})
                    if poller.urls and tick % ticks_per_poll == 0:
                        await poller.poll_all()
                finally:
                    await kv.compare_and_delete(JOBS_LOCK, me)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must outlive a database or feed hiccup
            log.exception("alert jobs failed")
        tick += 1
        await asyncio.sleep(JOB_SECONDS)
