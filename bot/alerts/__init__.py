"""Alerts on the people-facing side: the service built from the ``alerts`` section, its background jobs,
the CLI replay."""

from __future__ import annotations

import logging

from bot.periodic import Job
from bot.sections import AlertsSection
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


def policy_of(section: AlertsSection) -> AlertPolicy:
    return AlertPolicy(QuietHours.parse(section.quiet_hours, section.timezone),
                       recent_report_days=section.recent_report_days, location_max_age_h=section.location_max_age_h,
                       ack_escalate_minutes=section.ack_escalate.total_seconds() / 60,
                       test_group=section.test_group)


def build_alerts(section: AlertsSection, ctx: CaseContext, delivery: DeliveryReader | None = None,
                 heavy: HeavyPool | None = None, max_crossings: int = 100) -> AlertService:
    """``delivery`` is the outbox's read side when it is wired; without it coverage shows targeted only.
    ``heavy`` repairs polygons off the event loop (a pool of its own when not given)."""
    areas = AreaIndex(ctx.grid.index, heavy, ShapeLimits(max_crossings=max_crossings))
    return AlertService(ctx.grid, ctx.notifier, ctx.clock, policy_of(section), catalogue(), delivery, areas)


def jobs(service: AlertService, section: AlertsSection) -> list[Job]:
    """Silent cells escalated every minute; CAP feeds polled on their own period (when configured)."""
    from bot.alerts.feeds import FeedPoller

    async def escalate() -> None:
        raised = await escalate_silent(service.notifier, service.clock(), section.ack_escalate)
        if raised:
            log.info("alert cells escalated", extra={"streets": raised})

    out = [Job("alert escalation", JOB_SECONDS, escalate, JOBS_LOCK)]
    poller = FeedPoller(service, list(section.feeds))
    if poller.urls:
        out.append(Job("alert feeds", section.feed_s, poller.poll_all, FEEDS_LOCK))
    return out
