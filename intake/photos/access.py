"""Who sees which photo: staff see a case's photos (the resident's and the staff's) exactly when they
may read the case (:func:`intake.cases.scope.can_read`); anything else is "not found", as for a case.

A report's photo references (``case.photos``) are sealed in its opening event; the files they name are
rows of :class:`Media` carrying the case number: a mini-program id, a 公众号 ``wechat-media:<MediaId>``
(pending until fetched, lost when not fetched in time) or a staff photo.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.cases import repo, scope
from intake.cases.model import Actor
from intake.errors import NotFound
from intake.store.models import Case, Media

STORED, PENDING, LOST = "stored", "pending", "lost"


@dataclass(frozen=True, slots=True)
class Photo:
    media_id: str | None  # None: a reference with no file behind it (an old 公众号 photo, a link)
    by_staff: bool
    state: str


async def of_case(case: Case) -> list[Photo]:
    """The resident's photos in the report's order, then the staff's in the order they were taken."""
    rows = await Media.filter(case_no=case.case_no).order_by("id")
    by_ref = {row.ref or row.media_id: row for row in rows if row.source != "staff"}
    resident = [Photo(r.media_id, False, r.state) if (r := by_ref.get(ref)) else Photo(None, False, LOST)
                for ref in case.photos if not ref.startswith(("http://", "https://"))]
    return resident + [Photo(row.media_id, True, row.state) for row in rows if row.source == "staff"]


async def for_staff(actor: Actor, media_id: str) -> Media:
    """The stored photo — or a staff photo waiting for its watermark (the caller waits; its file is the
    original, never to be served) — when ``actor`` may read its case; :class:`NotFound` otherwise."""
    row = await Media.get_or_none(media_id=media_id[:40], state__in=(STORED, PENDING))
    if row is not None and row.state == PENDING and row.source != "staff":
        row = None  # a 公众号 photo not fetched yet has no file at all
    if row is None or row.case_no is None or row.case_no.startswith("claim:"):
        raise NotFound("no such media")
    try:
        case = await repo.get(row.case_no)
    except NotFound:
        raise NotFound("no such media") from None
    if not scope.can_read(actor, case):
        raise NotFound("no such media")
    return row
