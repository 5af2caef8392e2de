"""The upstream Open311 platform, outbox side: what it answered, recorded; its statuses, read back.

A case pushed upstream (``intake.cases.outward``) is an outbox row on the ``open311`` channel; the
channel hands the platform's answer to :func:`record_created`, which writes ``upstream_requests``.
:func:`poll` (a periodic job under a lock) turns tokens into ids and reads each open request's status
(GeoReport v2: open | closed, with notes and the agency responsible) until the platform closes it; the
closing is also a step on the case's timeline (``intake.cases.outward.upstream_closed``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from intake.cases import outward
from intake.cases.context import Clock
from intake.errors import Conflict
from intake.store.models_workflow import UpstreamRequest
from notify.http import TransportError
from notify.open311 import Created, Open311Client, Open311Error
from notify.types import Envelope

log = logging.getLogger("gridline.outbound")
LOCK = "lock:upstream-poll"
BATCH = 50  # one status read per batch (GeoReport takes a comma-separated id list)
KEY_PREFIX = "upstream:"


def case_of(envelope: Envelope) -> str:
    return envelope.key.removeprefix(KEY_PREFIX)


def recorder(clock: Clock) -> Callable[[Envelope, Created], Awaitable[None]]:
    async def record(envelope: Envelope, created: Created) -> None:
        await record_created(case_of(envelope), str(envelope.body.get("service_code", "")), created, clock())

    return record


async def record_created(case_no: str, service_code: str, created: Created, now: datetime) -> None:
    """The platform's id (or token) for the case; a second answer for the same case replaces the first."""
    await UpstreamRequest.update_or_create(
        case_no=case_no, defaults={"service_code": service_code[:64], "service_request_id": created.service_request_id,
                                   "token": created.token, "status": "submitted", "created_at": now,
                                   "updated_at": now})


def job_body(client: Callable[[], Open311Client | None], clock: Clock) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        if (found := client()) is not None:
            await poll(found, clock())

    return run


async def poll(client: Open311Client, now: datetime, batch: int = BATCH) -> int:
    """One pass over the requests least recently read; how many changed. A platform that fails is tried
    again next pass (nothing is lost: the rows stay open)."""
    rows = await _least_recently_read(batch)
    changed = 0
    try:
        for row in rows:
            if row.service_request_id is None and row.token:
                row.service_request_id = await _resolved(client, row.token)
        named = {r.service_request_id: r for r in rows if r.service_request_id}
        found = await client.statuses(list(named)) if named else []
    except (TransportError, Open311Error) as exc:
        log.warning("upstream poll failed", extra={"error": str(exc)})
        return 0
    for status in found:
        hit = named.get(status.service_request_id)
        news = (status.status, status.status_notes, status.agency)
        if hit is not None and (hit.status, hit.status_notes, hit.agency) != news and await _told(hit, news, now):
            hit.status, hit.status_notes, hit.agency = news
            hit.updated_at = now
            changed += 1
    for row in rows:
        row.polled_at = now
        await row.save()
    return changed


async def _least_recently_read(batch: int) -> list[UpstreamRequest]:
    """Never-read requests first (oldest first), then the least recently read. Ordering by ``polled_at``
    alone put the never-read last on PostgreSQL (NULLs sort last there, first on SQLite): with a batch of
    open requests read every pass, a new one would never be read."""
    open_ = UpstreamRequest.exclude(status="closed")
    rows = await open_.filter(polled_at__isnull=True).order_by("id").limit(batch)
    if len(rows) < batch:
        rows += await open_.filter(polled_at__isnull=False).order_by("polled_at", "id").limit(batch - len(rows))
    return rows


async def _resolved(client: Open311Client, token: str) -> str | None:
    """The id behind a token; None while the platform cannot name it (not yet, or a token it refuses): that
    request is read again next pass, and one bad token never stops the others' statuses."""
    try:
        return await client.resolve(token)
    except Open311Error as exc:
        log.warning("upstream token not resolved", extra={"error": str(exc)})
        return None


async def _told(row: UpstreamRequest, news: tuple[str, str | None, str | None], now: datetime) -> bool:
    """The platform's 办结 goes on the case's timeline; False when the case changed meanwhile, so the row
    keeps its old status and the next pass reads the platform again (the closing is never lost)."""
    if news[0] != "closed" or row.service_request_id is None:
        return True
    try:
        await outward.upstream_closed(row.case_no, row.service_request_id, news[1], news[2], now)
    except Conflict:
        return False
    return True
