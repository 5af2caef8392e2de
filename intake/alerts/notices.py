"""What an alert tells whom, as ``notify`` port messages (one per alert version and recipient)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from intake.alerts.signals import COLOUR_ZH
from intake.store.models_alerts import Alert
from notify.types import Notification, Recipient

# What the group card asks each grid's workers to answer (parsed back by acks.parse_ack_text).
ACK_HINT = ("已通知到户 N 户", "需要支援")


def group_of(alert_id: int) -> str:
    return f"alert:{alert_id}"


def payload(alert: Alert, signal_name: str | None) -> dict[str, Any]:
    return {"alert_id": alert.id, "identifier": alert.identifier, "version": alert.version,
            "signal": alert.signal_code, "signal_name": signal_name, "colour": alert.colour,
            "colour_zh": COLOUR_ZH.get(alert.colour), "event": alert.event, "headline": alert.headline,
            "message": alert.message, "guidance": alert.guidance, "instructions": alert.instructions,
            "test": alert.status == "test", "sent": alert.sent_at.isoformat(),
            "expires": alert.expires_at.isoformat() if alert.expires_at else None}


def resident_key(alert: Alert, channel: str, ref: str) -> str:
    return f"alert:{alert.id}:v{alert.version}:{channel}:{ref}"


def timing(alert: Alert, now: datetime) -> dict[str, Any]:
    """Red goes out at any hour; the rest waits for the end of quiet hours (``release_at``)."""
    urgent = alert.colour == "red"
    return {"urgent": urgent, "not_before": None if urgent or alert.release_at <= now else alert.release_at}


def for_residents(body: Mapping[str, Any]) -> dict[str, Any]:
    """What a resident's message carries: the workers' instructions stay on the staff side."""
    return {k: v for k, v in body.items() if k != "instructions"}


def to_residents(alert: Alert, rows: Iterable[Mapping[str, Any]], body: Mapping[str, Any], now: datetime,
                 reached: frozenset[tuple[str, str]] = frozenset()) -> list[Notification]:
    """``alert.issued`` to residents not told before; ``alert.updated`` to those already reached."""
    when, group, body = timing(alert, now), group_of(alert.id), for_residents(body)
    return [Notification("alert.updated" if (r["channel"], r["external_id"]) in reached else "alert.issued",
                         Recipient("resident", r["external_id"], r["channel"]),
                         resident_key(alert, r["channel"], r["external_id"]), payload=body, created_at=now,
                         group=group, **when)
            for r in rows]


def to_groups(alert: Alert, per_cell: Mapping[str, int], body: Mapping[str, Any], now: datetime,
              updated: bool = False) -> list[Notification]:
    """A card for each cell's WeCom group: the alert, how many residents were told, what to answer."""
    when, group = timing(alert, now), group_of(alert.id)
    return [Notification("alert.card.updated" if updated else "alert.card", Recipient("grid_group", code),
                         f"alert:{alert.id}:v{alert.version}:group:{code}",
                         payload={**body, "grid": code, "residents": n, "ack": list(ACK_HINT)},
                         created_at=now, group=group, **when)
            for code, n in per_cell.items()]


def to_staff(alert: Alert, cells: list[str], test_group: str, body: Mapping[str, Any],
             now: datetime) -> list[Notification]:
    """A test / exercise: one ``alert.test`` to the named test group, else to each targeted street's
    supervisors' group (staff, never residents), at once — a drill is not held for quiet hours."""
    places = [test_group] if test_group else sorted({c[:9] for c in cells})
    return [Notification("alert.test", Recipient("supervisor", place),
                         f"alert:{alert.id}:v{alert.version}:test:{place}",
                         payload={**body, "cells": len(cells), "street": place}, created_at=now,
                         group=group_of(alert.id), urgent=True)
            for place in places]


def cancelled(alert: Alert, told: Iterable[Recipient], body: Mapping[str, Any], now: datetime) -> list[Notification]:
    """A Cancel goes to everyone who had been told, at once (lifting a warning is never held back)."""
    return [Notification("alert.cancelled", who, f"alert:{alert.id}:cancel:{who.kind}:{who.channel}:{who.ref}",
                         payload=for_residents(body) if who.kind == "resident" else body, created_at=now,
                         group=None, urgent=True)
            for who in dict.fromkeys(told)]


def silent(alert: Alert, street: str, cells: list[str], now: datetime) -> Notification:
    body = {"alert_id": alert.id, "headline": alert.headline, "colour": alert.colour, "street": street,
            "silent_cells": cells[:100], "silent_count": len(cells)}
    return Notification("alert.silent", Recipient("supervisor", street), f"alert:{alert.id}:silent:{street}",
                        payload=body, created_at=now, urgent=True)
