"""An AlertService on the session's services (shared clock and RecordingNotifier)."""

from __future__ import annotations

import pytest

from intake.alerts.policy import AlertPolicy, QuietHours
from intake.alerts.service import AlertService
from intake.alerts.signals import catalogue
from tests.conftest import Services


@pytest.fixture(scope="session")
def alerts_service(services: Services) -> AlertService:
    policy = AlertPolicy(QuietHours.parse("22:00-07:00"), recent_report_days=30, location_max_age_h=72,
                         ack_escalate_minutes=60)
    return AlertService(services.ctx.grid, services.ctx.notifier, services.clock, policy, catalogue())


@pytest.fixture
def alerting(alerts_service: AlertService, svc: Services) -> AlertService:
    return alerts_service
