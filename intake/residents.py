"""Residents as the domain knows them: language, auto-submit, home grid, last location, subscription.

Channels (the 公众号, the mini-program) identify a resident by ``(channel, external_id)``.
The alerts feature reads the grids residents are bound to from here.
"""

from __future__ import annotations

from datetime import datetime

from intake.cases.states import OPEN
from intake.store import db
from intake.store.models import Case, Resident

LANGS = ("zh_CN", "en", "zh_HK")


# Every column without a database default is written (raw SQL does not see the model's defaults).
_SEEN = ("INSERT INTO residents (channel, external_id, lang, auto_submit, subscribed, location_allowed, "
         "outbox_held, last_seen_at, created_at) VALUES ({channel}, {ref}, 'zh_CN', {f}, {t}, {f}, {f}, {at}, {at}) "
         "ON CONFLICT (channel, external_id) DO UPDATE SET last_seen_at = excluded.last_seen_at RETURNING *")


def seen_sql(dialect: str, channel: str = "?", ref: str = "?", at: str = "?") -> str:
    """The upsert of :func:`seen` in ``dialect``; the placeholders default to ``?`` (the time twice)."""
    t, f = ("1", "0") if dialect == "sqlite" else ("TRUE", "FALSE")
    return _SEEN.format(channel=channel, ref=ref, at=at, t=t, f=f)


async def get(channel: str, external_id: str, now: datetime) -> Resident:
    resident, _ = await Resident.get_or_create(channel=channel, external_id=external_id,
                                               defaults={"last_seen_at": now})
    return resident


async def seen(channel: str, external_id: str, now: datetime) -> Resident:
    """The resident, created on first contact, with ``last_seen_at`` set: one statement, not three.

    This runs on every message a resident sends, so it is an upsert rather than get_or_create
    (SELECT, BEGIN, INSERT, COMMIT) followed by an UPDATE.
    """
    when = db.db_value(Resident, "last_seen_at", now)
    rows = await db.fetch(seen_sql(db.dialect()), [channel, external_id, when, when])
    return Resident._init_from_db(**rows[0])


async def set_lang(resident: Resident, lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}")
    resident.lang = lang
    await resident.save(update_fields=["lang"])


async def set_auto_submit(resident: Resident, on: bool) -> None:
    resident.auto_submit = on
    await resident.save(update_fields=["auto_submit"])


async def bind_home(resident: Resident, grid_code: str | None) -> None:
    resident.home_grid = grid_code
    await resident.save(update_fields=["home_grid"])


async def set_subscribed(resident: Resident, subscribed: bool) -> None:
    resident.subscribed = subscribed
    await resident.save(update_fields=["subscribed"])


async def record_location(resident: Resident, lat: float, lng: float, now: datetime) -> bool:
    """Keep the last reported location, only when the resident allowed it; True when stored."""
    if not resident.location_allowed:
        return False
    resident.last_lat, resident.last_lng, resident.last_location_at = lat, lng, now
    await resident.save(update_fields=["last_lat", "last_lng", "last_location_at"])
    return True


async def mute_alerts(resident: Resident, muted: bool) -> None:
    """退订 / 订阅预警: alerts below red stop (or start again) for this resident."""
    resident.alerts_muted = muted
    await resident.save(update_fields=["alerts_muted"])


async def allow_location(resident: Resident, allowed: bool) -> None:
    resident.location_allowed = allowed
    if not allowed:
        resident.last_lat = resident.last_lng = resident.last_location_at = None
    await resident.save(update_fields=["location_allowed", "last_lat", "last_lng", "last_location_at"])


def is_open(case: Case) -> bool:
    return case.status in {str(s) for s in OPEN}
