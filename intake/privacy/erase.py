"""One case's personal data, removed in one step on its chain (``anonymise``, by the system).

What stays is what statistics and 考核 need — category, cell, times, status, the steps — and the point
rounded to about 100 m (the map and the heat map still place the case in its cell). The reporter becomes
a keyed digest of who they were, so "the same resident reported twice" still counts once, and no one can
read the openid back. Photos' files go after the step commits (the caller deletes them: see
:func:`retention.sweep`); their rows go with the step.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from tortoise.queryset import QuerySet

from intake.cases.seal import seal
from intake.cases.steps import StepTaken
from intake.store.models import Case, CoReporter, InboundMessage, Media, Open311Submission, Rating
from notify.types import Notification

if TYPE_CHECKING:
    from intake.cases.workflow import Step

ERASED_TEXT = "（已按个人信息保护规定删除）"
POINT_DECIMALS = 3  # ~110 m of latitude: the cell survives, the doorstep does not
STAFF_SOURCE = "staff"
FIELDS = ("reporter", "description", "address", "lat", "lng", "photos")


def pseudonym(channel: str, reporter: str) -> str:
    """A stable stand-in for a reporter: the same person gives the same string, which does not give them back."""
    return "anon:" + hashlib.sha256(f"{channel}:{reporter}".encode()).hexdigest()[:24]


def scrub(case: Case) -> dict[str, object]:
    """Blank ``case``'s personal fields in place; the event data that records it (with the new seal)."""
    if not case.reporter.startswith("anon:"):
        case.reporter = pseudonym(case.channel, case.reporter)
    case.description, case.address, case.photos = ERASED_TEXT, None, []
    if case.lat is not None and case.lng is not None:
        case.lat, case.lng = round(case.lat, POINT_DECIMALS), round(case.lng, POINT_DECIMALS)
    return {"erased": list(FIELDS), **seal(case)}


async def anonymise(step: Step) -> None:
    """The ``anonymise`` step's effect: the case row (the rest is :func:`on_anonymise`, in the transaction)."""
    step.data.update(scrub(step.case))
    step.case.anonymised_at = step.now


async def on_anonymise(step: StepTaken) -> list[Notification]:
    """Step handler: the rows beside the case, in the step's transaction; nobody is told."""
    await scrub_related(step.case.case_no)
    return []


def resident_photos(case_no: str) -> QuerySet[Media]:
    """The photos residents sent for the case; staff photos are evidence of the work (处置 / 核查) and stay."""
    return Media.filter(case_no=case_no).exclude(source=STAFF_SOURCE)


async def scrub_related(case_no: str) -> None:
    """Everything else about the case that names or quotes a resident (photo rows; their files: the caller)."""
    await resident_photos(case_no).delete()
    await InboundMessage.filter(case_no=case_no).update(content=None, media_id=None, pic_url=None, lat=None,
                                                       lng=None, payload={})
    await Open311Submission.filter(case_no=case_no).update(contact={}, attributes={}, media_url=None)
    await Rating.filter(case_no=case_no).update(comment=None)
    for model in (CoReporter, Rating):  # the same person stays the same pseudonym in the counts
        for row in await model.filter(case_no=case_no):
            if not row.reporter.startswith("anon:"):
                row.reporter = pseudonym(row.channel, row.reporter)
                await row.save(update_fields=["reporter"])
