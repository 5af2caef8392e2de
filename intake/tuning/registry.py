"""The model registry: every trained model a version; one active, at most one shadow.

Statuses: ``candidate`` (trained, not serving), ``active`` (classifies live cases),
``shadow`` (predicts beside the active one, never decides), ``retired`` (was active).
Activating records the version it replaces, so a roll-back re-activates exactly that.
Every change appends a :class:`ClassifierRevision`: processes poll it and reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from intake.errors import IllegalTransition, NotFound
from intake.store.models_nlp import ClassifierRevision, ModelVersion

CANDIDATE, ACTIVE, SHADOW, RETIRED = "candidate", "active", "shadow", "retired"
STATUSES = (CANDIDATE, ACTIVE, SHADOW, RETIRED)


@dataclass(frozen=True, slots=True)
class NewVersion:
    backend: str
    name: str
    directory: str
    data_sha256: str
    data_count: int
    data_source: dict[str, Any]
    taxonomy_version: int
    metrics: dict[str, Any]
    thresholds: dict[str, float]
    target_precision: float
    note: str = ""


async def register(new: NewVersion, actor: str, now: datetime) -> ModelVersion:
    return await ModelVersion.create(
        backend=new.backend, name=new.name[:64], directory=new.directory, data_sha256=new.data_sha256,
        data_count=new.data_count, data_source=new.data_source, taxonomy_version=new.taxonomy_version,
        metrics=new.metrics, thresholds=new.thresholds, target_precision=new.target_precision,
        status=CANDIDATE, note=new.note[:2000], created_by=actor, created_at=now)


async def get(version_id: int) -> ModelVersion:
    found = await ModelVersion.get_or_none(id=version_id)
    if found is None:
        raise NotFound(f"no model version {version_id}")
    return found


async def listing(status: str | None = None, limit: int = 100) -> list[ModelVersion]:
    query = ModelVersion.all() if status is None else ModelVersion.filter(status=status)
    return await query.order_by("-id").limit(limit)


async def serving() -> tuple[ModelVersion | None, ModelVersion | None]:
    """(active, shadow) as the registry says now."""
    rows = await ModelVersion.filter(status__in=(ACTIVE, SHADOW)).order_by("-id")
    active = next((r for r in rows if r.status == ACTIVE), None)
    shadow = next((r for r in rows if r.status == SHADOW), None)
    return active, shadow


async def activate(version_id: int, actor: str, now: datetime) -> ModelVersion:
    """Make ``version_id`` the active model; the one it replaces is retired and remembered."""
    async with in_transaction():
        target = await get(version_id)
        if target.status == ACTIVE:
            raise IllegalTransition(f"model version {version_id} is already active")
        current, _ = await serving()
        if current is not None:
            current.status = RETIRED
            await current.save(update_fields=["status"])
        target.previous_id = current.id if current else None
        target.status, target.activated_by, target.activated_at = ACTIVE, actor, now
        await target.save(update_fields=["status", "previous_id", "activated_by", "activated_at"])
        await bump(actor, f"activate {version_id}", now)
    return target


async def roll_back(actor: str, now: datetime) -> ModelVersion | None:
    """Re-activate the version the active one replaced; with none, fall back to the keyword matcher."""
    async with in_transaction():
        current, _ = await serving()
        if current is None:
            raise IllegalTransition("no model is active: nothing to roll back")
        previous = await ModelVersion.get_or_none(id=current.previous_id) if current.previous_id else None
        current.status = RETIRED
        await current.save(update_fields=["status"])
        if previous is not None:
            previous.status, previous.activated_by, previous.activated_at = ACTIVE, actor, now
            await previous.save(update_fields=["status", "activated_by", "activated_at"])
        await bump(actor, f"roll back {current.id}", now)
    return previous


async def set_shadow(version_id: int, actor: str, now: datetime) -> ModelVersion:
    async with in_transaction():
        target = await get(version_id)
        if target.status == ACTIVE:
            raise IllegalTransition(f"model version {version_id} is active; shadow a candidate")
        await ModelVersion.filter(status=SHADOW).exclude(id=version_id).update(status=CANDIDATE)
        target.status = SHADOW
        await target.save(update_fields=["status"])
        await bump(actor, f"shadow {version_id}", now)
    return target


async def clear_shadow(actor: str, now: datetime) -> int:
    async with in_transaction():
        cleared = await ModelVersion.filter(status=SHADOW).update(status=CANDIDATE)
        await bump(actor, "clear shadow", now)
    return int(cleared)


async def bump(actor: str, note: str, now: datetime) -> int:
    """Tell every process that what serves changed."""
    row = await ClassifierRevision.create(at=now, actor=actor[:128], note=note[:200])
    return int(row.id)


async def revision() -> int:
    row = await ClassifierRevision.all().order_by("-id").first()
    return int(row.id) if row else 0
