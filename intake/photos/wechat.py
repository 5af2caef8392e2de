"""公众号 photos: WeChat keeps a resident's photo (a temporary MediaId) for 3 days only, so each one a
report names (``wechat-media:<MediaId>``) becomes a pending row at intake and is fetched by a background
job (never on the reply path), retried with backoff; one not fetched within its lifetime is marked lost,
and case pages say so.

The fetch itself (the WeChat API) is the outbox's (:mod:`outbox.media_fetch`); here are its rows' states.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from intake.photos.access import LOST, PENDING, STORED
from intake.photos.staff import new_media_id
from intake.store.models import Case, Media

PREFIX = "wechat-media:"
LIFETIME = timedelta(days=3)  # WeChat's temporary media
BASE_DELAY_S, MAX_DELAY_S = 30.0, 3600.0
BATCH = 50


async def enlist(case: Case, now: datetime) -> int:
    """A pending row for each 公众号 photo of a newly opened case (inside its transaction)."""
    refs = [ref for ref in dict.fromkeys(case.photos) if ref.startswith(PREFIX) and len(ref) <= 200]
    await Media.bulk_create([
        Media(media_id=new_media_id(), owner=case.reporter[:128], source="wechat", state=PENDING, ref=ref,
              mime="", size=0, width=0, height=0, sha256="", path="", case_no=case.case_no, created_at=now,
              next_try_at=now) for ref in refs])
    return len(refs)


async def due(now: datetime, limit: int = BATCH) -> list[Media]:
    """Pending photos whose next try has come, oldest first (photos past their lifetime are marked lost)."""
    await Media.filter(source="wechat", state=PENDING, created_at__lte=now - LIFETIME).update(
        state=LOST, next_try_at=None)
    return await Media.filter(source="wechat", state=PENDING, next_try_at__lte=now).order_by("id").limit(limit)


def media_id_of(row: Media) -> str:
    return (row.ref or "").removeprefix(PREFIX)


async def stored(row: Media, path: str, mime: str, size: int, sha256: str) -> None:
    await Media.filter(id=row.id, state=PENDING).update(
        state=STORED, path=path, mime=mime[:32], size=size, sha256=sha256, tries=row.tries + 1, next_try_at=None,
        last_error=None)


async def failed(row: Media, error: str, retry: bool, now: datetime) -> str:
    """Another try later (backoff with jitter), or lost: WeChat said no for good, or the lifetime is over."""
    tries = row.tries + 1
    later = now + timedelta(seconds=random.uniform(0.5, 1.0) * min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (tries - 1)))
    state = PENDING if retry and later < row.created_at + LIFETIME else LOST
    await Media.filter(id=row.id, state=PENDING).update(
        state=state, tries=tries, next_try_at=later if state == PENDING else None, last_error=error[:300])
    return state
