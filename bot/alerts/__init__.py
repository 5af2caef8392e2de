"""Alerts on the people-facing side: building the service from settings, its background jobs, the CLI replay."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.periodic import Job
from bot.settings import Settings
from intake.alerts.acks import escalate_silent
from intake.alerts.area import AreaIndex
from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.ports import DeliveryReader
from intake.alerts.service import AlertService
from intake.alerts.shapes import ShapeLimits
from intake.alerts.signals import catalogue
from intake.cases.context import CaseContext
from intake.heavy import HeavyPool

log = logging.getLogger("gridline.alerts")
JOBS_LOCK = "lock:alert-jobs"
FEEDS_LOCK = "lock:alert-feeds"
JOB_SECONDS = 60.0


def policy_of(settings: Settings) -> AlertPolicy:
    return AlertPolicy(QuietHours.parse(settings.alert_quiet_hours, settings.alert_timezone),
                       recent_report_days=settings.alert_recent_report_days,
                       location_max_age_h=settings.alert_location_max_age_hours,
                       ack_escalate_minutes=settings.alert_ack_escalate_minutes)


def build_alerts(settings: Settings, ctx: CaseContext, delivery: DeliveryReader | None = None,
                 heavy: HeavyPool | None = None) -> AlertService:
    """``delivery`` is the outbox's read side when it is wired; without it coverage shows targeted only.
    ``heavy`` repairs polygons off the event loop (a pool of its own when not given)."""
    areas = AreaIndex(ctx.grid.index, heavy, ShapeLimits(max_crossings=settings.alert_polygon_max_crossings))
    return AlertService(ctx.grid, ctx.notifier, ctx.clock, policy_of(settings), catalogue(), delivery, areas)


def jobs(service: AlertService, settings: Settings) -> list[Job]:
    """Silent cells escalated every minute; CAP feeds polled on their own period (when configured)."""
    from bot.alerts.feeds import FeedPoller

    delay = timedelta(minutes=settings.alert_ack_escalate_minutes)

    async def escalate() -> None:
        raised = await escalate_silent(service.notifier, service.clock(), delay)
        if raised:
            log.info("alert cells escalated", extra={"streets": raised})

    out = [Job("alert escalation", JOB_SECONDS, escalate, JOBS_LOCK)]
    poller = FeedPoller(service, settings.alert_feeds)
    if poller.urls:
        out.append(Job("alert feeds", settings.alert_feed_seconds, poller.poll_all, FEEDS_LOCK))
    return out
