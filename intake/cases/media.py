"""A resident's uploaded photos: recorded, shown to their owner only, and each attached to one report.

The photos are claimed (marked with a claim id) before the case is opened, so two reports sent at
once cannot share one; the claim becomes the case number once the case exists, or is released when
opening fails, so the resident can try again with the same photos.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import datetime

from intake.cases.context import CaseContext
from intake.cases.intake import Opened, open_case
from intake.cases.model import NewReport
from intake.errors import Invalid, NotFound
from intake.store.models import Media


async def record(media_id: str, owner: str, *, mime: str, size: int, width: int, height: int, sha256: str,
                 path: str, at: datetime) -> Media:
    """A photo stored on disk (re-encoded by the channel), not yet part of any report."""
    return await Media.create(media_id=media_id, owner=owner, mime=mime, size=size, width=width, height=height,
                              sha256=sha256, path=path, created_at=at)


async def owned(media_id: str, owner: str) -> Media:
    """The photo, for its owner only: anyone else gets "not found", as for an id that does not exist."""
    row = await Media.get_or_none(media_id=media_id[:40], owner=owner)
    if row is None:
        raise NotFound("no such media")
    return row


async def open_with_media(ctx: CaseContext, report: NewReport, owner: str, media_ids: Sequence[str]) -> Opened:
    """``open_case`` for ``report`` with the photos ``media_ids`` that ``owner`` uploaded and has not used."""
    claim = await _claim(owner, media_ids)
    try:
        opened = await open_case(ctx, report)
    except (Exception, asyncio.CancelledError):
        # Cancelled too (the client hung up mid-request): the claim must not keep the photos from the next try.
        # Shielded, so a second cancellation cannot interrupt the release itself.
        await asyncio.shield(_release(claim))
        raise
    await Media.filter(case_no=claim).update(case_no=opened.case.case_no)
    return opened


async def _claim(owner: str, media_ids: Sequence[str]) -> str:
    claim = "claim:" + secrets.token_hex(8)
    if media_ids:
        ids = list(dict.fromkeys(media_ids))
        taken = await Media.filter(media_id__in=ids, owner=owner, case_no=None).update(case_no=claim)
        if taken != len(ids) or len(ids) != len(media_ids):
            await _release(claim)
            raise Invalid("unknown media ids, or media already used in a report", media=list(media_ids))
    return claim


async def _release(claim: str) -> None:
    await Media.filter(case_no=claim).update(case_no=None)
