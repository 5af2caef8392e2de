"""Issuing, updating and cancelling alerts: targeting, bookkeeping and publishing through the Notifier port.

An alert keeps one id across its CAP messages; each Update bumps ``version``. Notifications carry
``group = alert:<id>`` so an Update or Cancel can ``withdraw`` what is still queued and learn who was
already reached: those get ``alert.updated`` (or ``alert.cancelled``), the rest the new content only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from intake.alerts import notices, scope, targeting
from intake.alerts.area import Area, AreaIndex
from intake.alerts.policy import AlertPolicy
from intake.alerts.ports import DeliveryReader
from intake.alerts.signals import Catalogue, Signal
from intake.cases.context import Clock
from intake.cases.model import Actor
from intake.errors import Conflict, NotFound
from intake.grid.store import GridService
from intake.store.models_alerts import Alert, AlertMessage
from notify.types import Notifier


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """One incoming alert message, whatever its source (CAP, feed, admin, replay)."""

    identifier: str
    sender: str
    source: str  # "cap" | "feed" | "admin" | "replay"
    msg_type: str  # "Alert" | "Update" | "Cancel"
    signal: Signal | None
    colour: str
    event: str
    headline: str
    message: str
    guidance: str | None
    area: Area
    sent_at: datetime
    expires_at: datetime | None = None
    references: tuple[str, ...] = ()
    # False for CAP Test / Exercise / System / Draft and JSON ``test``: recorded, told to staff only (never a resident)
    deliver: bool = True
    instructions: str | None = None  # for the grid workers' cards only


@dataclass(frozen=True, slots=True)
class Outcome:
    alert_id: int
    action: str  # "issued" | "updated" | "cancelled" | "duplicate"
    cells: int
    residents: int
    stopped: int = 0  # queued messages withdrawn by an Update or Cancel
    reached: int = 0  # recipients already told before an Update or Cancel
    test: bool = False  # a test / exercise: staff were told, no resident
    release_at: datetime | None = None  # held for quiet hours until then; None: goes out now


class AlertService:
    def __init__(self, grid: GridService, notifier: Notifier, clock: Clock, policy: AlertPolicy,
                 catalogue: Catalogue, delivery: DeliveryReader | None = None, areas: AreaIndex | None = None) -> None:
        self.grid, self.notifier, self.clock, self.policy = grid, notifier, clock, policy
        self.catalogue, self.delivery = catalogue, delivery
        self.areas = areas or AreaIndex(grid.index)

    async def receive(self, draft: AlertDraft, author: Actor | None = None) -> Outcome:
        """Apply one message; a message identifier seen before changes nothing (feeds repeat themselves).

        ``author`` (staff; ``None`` for feeds and replays) is held to their area (:mod:`intake.alerts.scope`).
        """
        seen = await AlertMessage.get_or_none(identifier=draft.identifier)
        if seen is not None:
            alert = await Alert.get(id=seen.alert_id)
            return Outcome(alert.id, "duplicate", alert.cells_count, alert.residents_count)
        cells = await self.areas.cells(draft.area)  # validates grid codes before anything is written
        if draft.msg_type != "Cancel":
            scope.check_cells(author, cells)
        if draft.msg_type == "Alert":
            return await self._issue(draft, cells, author)
        earlier = await self._referenced(draft)
        if earlier is None:
            if draft.msg_type == "Cancel":
                raise NotFound(f"the Cancel references no known alert ({', '.join(draft.references)[:200]})")
            return await self._issue(replace(draft, msg_type="Alert"), cells, author)  # an Update of one we never saw
        scope.check_change(author, earlier.author_scope, earlier.id)
        if earlier.status == "cancelled":
            raise Conflict(f"alert {earlier.id} was cancelled")
        if draft.msg_type == "Cancel":
            return await self.cancel(earlier, draft.identifier, author)
        return await self._update(earlier, draft, cells)

    async def _referenced(self, draft: AlertDraft) -> Alert | None:
        if not draft.references:
            return None
        msg = await AlertMessage.filter(identifier__in=list(draft.references)).order_by("-id").first()
        return await Alert.get(id=msg.alert_id) if msg else None

    async def _issue(self, draft: AlertDraft, cells: list[str], author: Actor | None) -> Outcome:
        now = self.clock()
        async with in_transaction():
            alert = await Alert.create(identifier=draft.identifier, sender=draft.sender, source=draft.source,
                                       status="active" if draft.deliver else "test", created_at=now,
                                       updated_at=now, author_scope=scope.author_scope(author),
                                       **self._content(draft, now))
            await AlertMessage.create(alert_id=alert.id, identifier=draft.identifier, msg_type="Alert",
                                      version=1, received_at=now)
            residents = await self._target(alert, cells, draft.deliver)
        return Outcome(alert.id, "issued", len(cells), residents, test=not draft.deliver, release_at=held(alert, now))

    async def _update(self, alert: Alert, draft: AlertDraft, cells: list[str]) -> Outcome:
        now = self.clock()
        async with in_transaction():
            for name, value in self._content(draft, now).items():
                setattr(alert, name, value)
            alert.version += 1
            alert.updated_at = now
            await alert.save()
            await AlertMessage.create(alert_id=alert.id, identifier=draft.identifier, msg_type="Update",
                                      version=alert.version, received_at=now)
            gone = await self.notifier.withdraw(notices.group_of(alert.id))
            reached = frozenset((r.channel or "", r.ref) for r in gone.reached if r.kind == "resident")
            residents = await self._target(alert, cells, alert.status == "active", reached)
        return Outcome(alert.id, "updated", len(cells), residents, len(gone.stopped), len(reached),
                       test=alert.status == "test", release_at=held(alert, now))

    async def cancel(self, alert: Alert, identifier: str | None = None, author: Actor | None = None) -> Outcome:
        """Stop what is still queued and tell everyone already reached that the warning is lifted."""
        scope.check_change(author, alert.author_scope, alert.id)
        now = self.clock()
        if alert.status == "cancelled":
            raise Conflict(f"alert {alert.id} was already cancelled")
        async with in_transaction():
            gone = await self.notifier.withdraw(notices.group_of(alert.id))
            alert.status, alert.updated_at = "cancelled", now
            await alert.save(update_fields=["status", "updated_at"])
            if identifier:
                await AlertMessage.create(alert_id=alert.id, identifier=identifier, msg_type="Cancel",
                                          version=alert.version, received_at=now)
            body = notices.payload(alert, self.signal_name(alert))
            await self.notifier.publish(notices.cancelled(alert, gone.reached, body, now))
        return Outcome(alert.id, "cancelled", alert.cells_count, alert.residents_count, len(gone.stopped),
                       len(set(gone.reached)))

    async def _target(self, alert: Alert, cells: list[str], deliver: bool,
                      reached: frozenset[tuple[str, str]] = frozenset()) -> int:
        now = self.clock()
        await targeting.store_cells(alert.id, cells)
        if not deliver:  # a test: no resident is bound, so none can be told; staff hear it marked as a test
            alert.cells_count, alert.residents_count = len(cells), 0
            await alert.save(update_fields=["cells_count", "residents_count"])
            body = notices.payload(alert, self.signal_name(alert))
            await self.notifier.publish(notices.to_staff(alert, cells, self.policy.test_group, body, now))
            return 0
        count = await targeting.bind(alert.id, alert.version, self.grid.index, cells, self.policy, now)
        alert.cells_count, alert.residents_count = len(cells), count
        await alert.save(update_fields=["cells_count", "residents_count"])
        rows = await targeting.targets(alert.id)
        body = notices.payload(alert, self.signal_name(alert))
        per_cell = Counter(r["grid_code"] for r in rows)
        out = notices.to_residents(alert, rows, body, now, reached)
        if reached:  # already told, no longer inside the area: they still hear of the change
            inside = {(r["channel"], r["external_id"]) for r in rows}
            out += notices.to_residents(alert, [{"channel": c, "external_id": e} for c, e in reached - inside],
                                        body, now, reached)
        out += notices.to_groups(alert, {c: per_cell.get(c, 0) for c in cells}, body, now, bool(reached))
        for start in range(0, len(out), 5000):
            await self.notifier.publish(out[start:start + 5000])
        return count

    def _content(self, draft: AlertDraft, now: datetime) -> dict[str, Any]:
        release = None if draft.colour == "red" else self.policy.quiet.release(now)
        return {"signal_code": draft.signal.code if draft.signal else None, "colour": draft.colour,
                "event": draft.event[:100], "headline": draft.headline[:300], "message": draft.message,
                "guidance": draft.guidance, "instructions": draft.instructions, "area": draft.area.as_json(),
                "sent_at": draft.sent_at,
                "expires_at": draft.expires_at, "release_at": release or now}

    def signal_name(self, alert: Alert) -> str | None:
        sig = self.catalogue.signals.get(alert.signal_code or "")
        return sig.name_zh if sig else None


def held(alert: Alert, now: datetime) -> datetime | None:
    """When the alert's messages go out if quiet hours hold them back; ``None`` when they go now."""
    return alert.release_at if alert.colour != "red" and alert.release_at > now else None
