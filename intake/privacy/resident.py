"""A resident's own data: all of it as one document (PIPL art. 45), and their request to delete it (art. 47).

Deletion erases every ended case of theirs now (through the retention machinery, one chain step each) and
marks the request on their row, so each case still open is erased when it ends — deleting the text of a
case a worker is still handling would leave the worker nothing to act on. Their stored location goes at
once. Their home grid and alert subscription stay: a typhoon warning must still reach them; ``退订``
stops it (their choice, not a side effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.expressions import Q

from intake.cases.context import CaseContext
from intake.cases.states import FINAL
from intake.privacy import retention
from intake.store.models import Case, CoReporter, InboundMessage, Rating, Resident

MESSAGES_IN_EXPORT = 1000  # the newest; older ones are in the cases they made


@dataclass(frozen=True, slots=True)
class Erasure:
    erased: int  # ended cases anonymised now
    pending: int  # open cases, anonymised when they end


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export(channel: str, external_id: str) -> dict[str, Any]:
    """Everything gridline holds about this resident, as plain JSON-ready values."""
    person = await Resident.get_or_none(channel=channel, external_id=external_id)
    cases = await Case.filter(channel=channel, reporter=external_id).order_by("opened_at")
    seconded = await CoReporter.filter(channel=channel, reporter=external_id).values_list("case_no", flat=True)
    ratings = await Rating.filter(channel=channel, reporter=external_id).order_by("created_at")
    messages = await InboundMessage.filter(channel=channel, external_id=external_id) \
        .order_by("-received_at").limit(MESSAGES_IN_EXPORT)
    return {
        "resident": None if person is None else {
            "lang": person.lang, "subscribed": person.subscribed, "home_grid": person.home_grid,
            "location_allowed": person.location_allowed, "last_lat": person.last_lat, "last_lng": person.last_lng,
            "last_location_at": _iso(person.last_location_at), "created_at": _iso(person.created_at),
            "erase_requested_at": _iso(person.erase_requested_at)},
        "cases": [{"case_no": c.case_no, "opened_at": _iso(c.opened_at), "status": c.status,
                   "category": c.category_code, "description": c.description, "address": c.address,
                   "lat": c.lat, "lng": c.lng, "photos": len(c.photos), "anonymised_at": _iso(c.anonymised_at)}
                  for c in cases],
        "seconded": sorted(str(n) for n in seconded),
        "ratings": [{"case_no": r.case_no, "score": r.score, "comment": r.comment, "at": _iso(r.created_at)}
                    for r in ratings],
        "messages": [{"at": _iso(m.received_at), "kind": m.kind, "content": m.content, "case_no": m.case_no}
                     for m in messages],
    }


async def request_erasure(ctx: CaseContext, channel: str, external_id: str, media_dir: Path | None) -> Erasure:
    now = ctx.clock()
    await Resident.filter(channel=channel, external_id=external_id).update(
        erase_requested_at=now, last_lat=None, last_lng=None, last_location_at=None, location_allowed=False)
    await InboundMessage.filter(channel=channel, external_id=external_id, case_no__isnull=True).update(
        content=None, media_id=None, pic_url=None, lat=None, lng=None, payload={})
    mine = Q(channel=channel, reporter=external_id)
    erased = 0
    while True:  # the sweep serves every requesting resident; loop until none of this one's is left
        swept = await retention.sweep(ctx, 0, media_dir)
        erased += swept.erased
        left = await Case.filter(mine, retention.due()).count()
        if not left or not swept.erased:
            break
    pending = await Case.filter(mine).exclude(status__in=[str(s) for s in FINAL]).count()
    return Erasure(erased, pending)
