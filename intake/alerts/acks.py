"""The acknowledgement loop: workers report per cell, the coverage view, silent cells escalated to the street."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from intake.alerts import notices, targeting
from intake.alerts.ports import DeliveryReader
from intake.errors import Invalid, NotFound
from intake.store.models_alerts import Alert, AlertAck, AlertCell, AlertEscalation
from notify.types import Notifier

_TOLD = re.compile(r"已通知到户\s*(\d{1,6})\s*户")
_SUPPORT = re.compile(r"需要支援")


def parse_ack_text(text: str) -> tuple[int | None, bool]:
    """``已通知到户 N 户`` → (N, False); ``需要支援`` → (None, True); both may appear; neither is invalid."""
    told, support = _TOLD.search(text), bool(_SUPPORT.search(text))
    if told is None and not support:
        raise Invalid("an acknowledgement reads '已通知到户 N 户' or '需要支援'")
    return (int(told.group(1)) if told else None), support


async def acknowledge(alert_id: int, grid_code: str, user_id: int, households: int | None, support: bool,
                      note: str | None, now: datetime) -> AlertAck:
    """Record (or replace) one worker's answer for one targeted cell of the alert."""
    if not await AlertCell.exists(alert_id=alert_id, grid_code=grid_code):
        raise NotFound(f"cell {grid_code[:20]} is not targeted by alert {alert_id}")
    ack, _ = await AlertAck.update_or_create(
        alert_id=alert_id, grid_code=grid_code, user_id=user_id,
        defaults={"households": households, "support": support, "note": note, "at": now})
    return ack


@dataclass(frozen=True, slots=True)
class CellCoverage:
    grid_code: str
    targeted: int
    reached: int | None
    failed: int | None
    acks: list[dict[str, Any]]
    escalated: bool


async def coverage(alert: Alert, delivery: DeliveryReader | None) -> list[CellCoverage]:
    cells = await AlertCell.filter(alert_id=alert.id).order_by("grid_code").values_list("grid_code", "street_code")
    rows = await targeting.targets(alert.id)
    targeted = Counter(r["grid_code"] for r in rows)
    reached: Counter[str] | None = None
    failed: Counter[str] | None = None
    if delivery is not None:
        reached, failed = await _outcomes(alert, rows, delivery)
    acks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in await AlertAck.filter(alert_id=alert.id).order_by("at"):
        acks[a.grid_code].append({"user_id": a.user_id, "households": a.households, "support": a.support,
                                  "note": a.note, "at": a.at.isoformat()})
    streets = set(await AlertEscalation.filter(alert_id=alert.id).values_list("street_code", flat=True))
    return [CellCoverage(code, targeted.get(code, 0), None if reached is None else reached.get(code, 0),
                         None if failed is None else failed.get(code, 0), acks.get(code, []),
                         street in streets and not acks.get(code))
            for code, street in cells]


async def _outcomes(alert: Alert, rows: list[dict[str, Any]],
                    delivery: DeliveryReader) -> tuple[Counter[str], Counter[str]]:
    cell_of = {(r["channel"], r["external_id"]): r["grid_code"] for r in rows}
    reached: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    best: dict[tuple[str, str], str] = {}
    for key, state in (await delivery.outcomes(notices.group_of(alert.id))).items():
        parts = key.split(":", 4)  # alert:<id>:v<n>:<channel>:<external id>
        if len(parts) == 5 and parts[2].startswith("v") and (parts[3], parts[4]) in cell_of:
            who = (parts[3], parts[4])
            if best.get(who) != "reached":  # reached by any version counts
                best[who] = state
    for who, state in best.items():
        if state == "reached":
            reached[cell_of[who]] += 1
        elif state == "failed":
            failed[cell_of[who]] += 1
    return reached, failed


async def escalate_silent(notifier: Notifier, now: datetime, delay: timedelta) -> int:
    """Escalate, once per alert and street, the targeted cells no worker acknowledged within ``delay``."""
    due = await Alert.filter(status="active", release_at__lte=now - delay, release_at__gte=now - timedelta(days=3))
    raised = 0
    for alert in due:
        if alert.expires_at is not None and alert.expires_at <= now:
            continue
        done = set(await AlertEscalation.filter(alert_id=alert.id).values_list("street_code", flat=True))
        heard = set(await AlertAck.filter(alert_id=alert.id).values_list("grid_code", flat=True))
        silent: dict[str, list[str]] = defaultdict(list)
        for code, street in await AlertCell.filter(alert_id=alert.id).values_list("grid_code", "street_code"):
            if code not in heard and street not in done:
                silent[street].append(code)
        for street, codes in sorted(silent.items()):
            try:
                async with in_transaction():
                    await AlertEscalation.create(alert_id=alert.id, street_code=street, cells=sorted(codes), at=now)
                    await notifier.publish([notices.silent(alert, street, sorted(codes), now)])
                raised += 1
            except IntegrityError:  # another process escalated this street first
                continue
    return raised
