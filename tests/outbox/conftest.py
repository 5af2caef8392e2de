"""Outbox fixtures: a case context whose notifier is the transactional outbox, a store with its router."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from intake.cases.context import CaseContext
from intake.store.models_outbox import OutboxAttempt, OutboxMessage
from outbox.directory import Directory
from outbox.notifier import OutboxNotifier
from outbox.router import ReachRouter, RouteConfig
from outbox.store import DbOutboxStore
from tests.conftest import Services


@pytest.fixture
def octx(svc: Services) -> CaseContext:
    """The session's case context, publishing into the outbox instead of the recorder."""
    return dataclasses.replace(svc.ctx, notifier=OutboxNotifier(svc.clock))


@pytest.fixture
def store(svc: Services) -> DbOutboxStore:
    return DbOutboxStore(ReachRouter(Directory(ttl_s=0), RouteConfig(base_url="https://grid.example.org")))


async def row(key: str) -> OutboxMessage:
    return await OutboxMessage.get(key=key)


async def decisions(key: str) -> list[tuple[str, str, str]]:
    found = await OutboxMessage.get(key=key)
    return [(a.what, a.channel, a.outcome) for a in await OutboxAttempt.filter(message_id=found.id).order_by("id")]


def later(now: datetime, **delta: float) -> datetime:
    from datetime import timedelta

    return now + timedelta(**delta)
