"""A resident's message arriving: stored before anything is answered, and the resident noted as seen.

This runs on every message a resident sends, inside WeChat's reply budget, so on PostgreSQL it is
one statement (the message INSERT and the resident upsert as data-modifying CTEs) rather than an
ORM ``create``, a ``get_or_create`` and an UPDATE; SQLite, which has no data-modifying CTEs, takes
two. Either way a message stored before (a redelivery whose claim expired) is reported, not stored
twice: ``dedup_key`` is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from intake import bounds
from intake.residents import seen_sql
from intake.store import db
from intake.store.models import InboundMessage, Resident


class Received(NamedTuple):
    """What a channel parsed out of one message (``raw`` is the payload as it came)."""

    dedup_key: str
    kind: str
    content: str | None
    media_id: str | None
    pic_url: str | None
    lat: float | None
    lng: float | None
    raw: dict[str, str]


@dataclass(frozen=True, slots=True)
class Arrival:
    stored: bool  # False: stored by an earlier delivery, so nothing must happen twice
    resident: Resident


_MESSAGE = ("INSERT INTO inbound_messages (channel, external_id, dedup_key, kind, content, media_id, pic_url, "
            "lat, lng, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedup_key) DO NOTHING RETURNING id")
# PostgreSQL: $1/$2 (channel, external id) and $11 (the time) serve both inserts.
_BOTH = ("WITH message AS (" + _MESSAGE + "), resident AS (" + seen_sql("postgres", "$1", "$2", "$11")
         + ") SELECT resident.*, EXISTS (SELECT 1 FROM message) AS arrival_stored FROM resident")


async def arrive(channel: str, external_id: str, received: Received, now: datetime) -> Arrival:
    """:class:`~intake.errors.Invalid` (nothing stored) when a value is longer than its column."""
    bounds.check(InboundMessage, {"channel": channel, "external_id": external_id, "dedup_key": received.dedup_key,
                                  "kind": received.kind, "media_id": received.media_id, "pic_url": received.pic_url})
    when = db.db_value(Resident, "last_seen_at", now)
    message = [channel, external_id, received.dedup_key, received.kind, received.content, received.media_id,
               received.pic_url, received.lat, received.lng,
               db.db_value(InboundMessage, "payload", received.raw), db.db_value(InboundMessage, "received_at", now)]
    if db.dialect() == "sqlite":
        stored = bool(await db.fetch(_MESSAGE, message))
        row = (await db.fetch(seen_sql("sqlite"), [channel, external_id, when, when]))[0]
    else:
        row = (await db.fetch(_BOTH, message))[0]
        stored = bool(row.pop("arrival_stored"))
    return Arrival(stored, Resident._init_from_db(**row))


async def answered(dedup_key: str, now: datetime) -> None:
    """The message's turn is over (answered, pushed, or nothing to say): the recovery walk passes it by."""
    await InboundMessage.filter(dedup_key=dedup_key, answered_at__isnull=True).update(answered_at=now)


async def unanswered(channel: str, since: datetime, until: datetime, limit: int) -> list[InboundMessage]:
    """Messages received in ``(since, until]`` whose turn has not ended, oldest first."""
    return await InboundMessage.filter(channel=channel, answered_at__isnull=True, received_at__gt=since,
                                       received_at__lte=until).order_by("id").limit(limit)
