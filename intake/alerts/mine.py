"""A grid worker's view of the warnings: the active alerts over their cells, and their answer for a cell.

The worker's alerts page (bot/worker/alerts.py) shows this; the answer goes through the same
``acks.acknowledge`` (and the same who-answers-for-a-cell rule) as the admin API's ``POST …/acks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.alerts import acks
from intake.cases import scope
from intake.cases.model import Actor
from intake.errors import Invalid, NotFound
from intake.store.models_alerts import Alert, AlertAck, AlertCell

MAX_HOUSEHOLDS = 999_999  # what ``已通知到户 N 户`` can say


@dataclass(frozen=True, slots=True)
class MyCell:
    grid_code: str
    households: int | None  # my last answer, if any
    support: bool
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class MyAlert:
    alert: Alert
    cells: list[MyCell]


def in_force(alert: Alert, now: datetime) -> bool:
    return alert.status == "active" and (alert.expires_at is None or alert.expires_at > now)


async def active_for(actor: Actor, now: datetime) -> list[MyAlert]:
    """The alerts in force whose area holds cells of ``actor``'s, red first, newest first; my answers."""
    if actor.user_id is None or not actor.grids:
        return []
    alerts = [a for a in await Alert.filter(status="active").order_by("-sent_at") if in_force(a, now)]
    out: list[MyAlert] = []
    for alert in alerts:
        codes = [str(c) for c in await AlertCell.filter(alert_id=alert.id).order_by("grid_code")
                 .values_list("grid_code", flat=True) if actor.covers(str(c))]
        if codes:
            mine = {a.grid_code: a for a in await AlertAck.filter(alert_id=alert.id, user_id=actor.user_id)}
            out.append(MyAlert(alert, [_cell(code, mine.get(code)) for code in codes]))
    out.sort(key=lambda m: m.alert.colour != "red")  # stable: red first, then as sent
    return out


def _cell(code: str, ack: AlertAck | None) -> MyCell:
    if ack is None:
        return MyCell(code, None, False, None)
    return MyCell(code, ack.households, bool(ack.support), ack.at)


async def answer(actor: Actor, alert_id: int, grid_code: str, households: int | None, support: bool,
                 note: str | None, now: datetime) -> AlertAck:
    """``actor``'s answer for one of their cells of an alert in force (the API's rule and record)."""
    alert = await Alert.get_or_none(id=alert_id)
    if alert is None or not in_force(alert, now):
        raise NotFound(f"no alert {alert_id} in force")
    user_id = scope.answering_for(actor, grid_code)
    if households is None and not support:
        raise Invalid("give households (已通知到户 N 户) or ask for support (需要支援)")
    if households is not None and not 0 <= households <= MAX_HOUSEHOLDS:
        raise Invalid(f"households must be 0 to {MAX_HOUSEHOLDS}")
    return await acks.acknowledge(alert_id, grid_code, user_id, households, support, note, now)
