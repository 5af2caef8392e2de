"""A resident's message arriving: stored before anything is answered, and the resident noted as seen.

This runs on every message a resident sends, inside WeChat's reply budget, so on PostgreSQL it is
one statement (the message INSERT and the resident upsert as data-modifying CTEs) rather than an
ORM ``create``, a ``get_or_create`` and an UPDATE; SQLite, which has no data-modifying CTEs, takes
two. Either way a message stored before (a redelivery whose claim expired) is reported, not stored
twice: ``dedup_key`` is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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
    earlier: bool = True  # the resident has other messages whose turn has not ended (True when unknown)


HORIZON = timedelta(hours=24)  # older unfinished turns are left alone (a push reaches a resident for 48 h)


_MESSAGE = ("INSERT INTO inbound_messages (channel, external_id, dedup_key, kind, content, media_id, pic_url, "
            "lat, lng, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedup_key) DO NOTHING RETURNING id")
# Another message of this resident not marked answered: a turn in flight (photos picked at once) or one its
# process left half-done, which the resident's turn finishes first (bot.wechat.turns). The partial index on
# the unanswered rows keeps this to the few in flight.
_EARLIER = ("SELECT 1 FROM inbound_messages WHERE answered_at IS NULL AND received_at > {since} "
            "AND channel = {channel} AND external_id = {resident} AND dedup_key <> {key}")
# PostgreSQL: $1/$2 (channel, external id) and $11 (the time) serve both inserts; the statement's own
# INSERT is not visible to its EXISTS (one snapshot), a redelivery's stored row is excluded by its key.
_BOTH = ("WITH message AS (" + _MESSAGE + "), resident AS (" + seen_sql("postgres", "$1", "$2", "$11")
         + ") SELECT resident.*, EXISTS (SELECT 1 FROM message) AS arrival_stored, EXISTS ("
         + _EARLIER.format(since="$12", channel="$1", resident="$2", key="$3") + ") AS arrival_earlier "
         "FROM resident")
_EARLIER_SQLITE = "SELECT EXISTS (" + _EARLIER.format(since="?", channel="?", resident="?", key="?") + ") AS e"


async def arrive(channel: str, external_id: str, received: Received, now: datetime) -> Arrival:
    """:class:`~intake.errors.Invalid` (nothing stored) when a value is longer than its column."""
    bounds.check(InboundMessage, {"channel": channel, "external_id": external_id, "dedup_key": received.dedup_key,
                                  "kind": received.kind, "media_id": received.media_id, "pic_url": received.pic_url})
    when = db.db_value(Resident, "last_seen_at", now)
    message = [channel, external_id, received.dedup_key, received.kind, received.content, received.media_id,
               received.pic_url, received.lat, received.lng,
               db.db_value(InboundMessage, "payload", received.raw), db.db_value(InboundMessage, "received_at", now)]
    since = db.db_value(InboundMessage, "received_at", now - HORIZON)
    if db.dialect() == "sqlite":
        stored = bool(await db.fetch(_MESSAGE, message))
        row = (await db.fetch(seen_sql("sqlite"), [channel, external_id, when, when]))[0]
        earlier = (await db.fetch(_EARLIER_SQLITE, [since, channel, external_id, received.dedup_key]))[0]["e"]
    else:
        row = (await db.fetch(_BOTH, [*message, since]))[0]
        stored, earlier = bool(row.pop("arrival_stored")), row.pop("arrival_earlier")
    return Arrival(stored, Resident._init_from_db(**row), bool(earlier))


async def answered(dedup_key: str, now: datetime) -> None:
    """The message's turn is over (answered, pushed, or nothing to say): the recovery walk passes it by."""
    await InboundMessage.filter(dedup_key=dedup_key, answered_at__isnull=True).update(answered_at=now)


async def ended(dedup_key: str) -> bool:
    """Whether the stored message's turn is over."""
    return await InboundMessage.filter(dedup_key=dedup_key, answered_at__isnull=False).exists()


async def unanswered_before(channel: str, external_id: str, key: str, now: datetime) -> list[InboundMessage]:
    """The resident's other messages of the last day whose turn has not ended and that arrived before the
    message ``key`` (all of them when ``key`` is not stored), oldest first."""
    rows = await InboundMessage.filter(channel=channel, external_id=external_id, answered_at__isnull=True,
                                       received_at__gt=now - HORIZON).order_by("id").limit(50)
    mine = next((r.id for r in rows if r.dedup_key == key), None)
    return [r for r in rows if r.dedup_key != key and (mine is None or r.id < mine)]


async def unanswered(channel: str, since: datetime, until: datetime, limit: int) -> list[InboundMessage]:
    """Messages received in ``(since, until]`` whose turn has not ended, oldest first."""
    return await InboundMessage.filter(channel=channel, answered_at__isnull=True, received_at__gt=since,
                                       received_at__lte=until).order_by("id").limit(limit)
