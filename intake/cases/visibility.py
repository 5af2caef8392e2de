"""Which cases a resident may see: their own reports and those they seconded (附议). One rule for every channel.

A case the resident may not see is "not found", exactly like a number that does not exist: case numbers
can be guessed, and a resident must not learn that someone else's report exists.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise.queryset import QuerySet

from intake.errors import Invalid, NotFound
from intake.store.models import Case, CoReporter
from intake.store.models_surveys import Survey


class Relation(StrEnum):
    OWN = "own"
    SECONDED = "seconded"


def is_own(case: Case, channel: str, external_id: str) -> bool:
    return case.channel == channel and case.reporter == external_id


async def relation(case: Case, channel: str, external_id: str) -> Relation | None:
    """The resident's relation to ``case``, or None when they may not see it."""
    if is_own(case, channel, external_id):
        return Relation.OWN
    if await CoReporter.exists(case_no=case.case_no, channel=channel, reporter=external_id):
        return Relation.SECONDED
    return None


async def visible(case_no: str | None, channel: str, external_id: str) -> tuple[Case, Relation]:
    """The case (by a parsed number, None when it did not parse) and the resident's relation to it."""
    case = await Case.get_or_none(case_no=case_no) if case_no else None
    found = await relation(case, channel, external_id) if case is not None else None
    if case is None or found is None:
        raise NotFound("no such report")
    return case, found


async def to_second(case_no: str | None, channel: str, external_id: str) -> tuple[Case, Relation | None]:
    """Any existing case (seconding, 附议, is acting on someone else's report by design) and the relation."""
    case = await Case.get_or_none(case_no=case_no) if case_no else None
    if case is None:
        raise NotFound("no such report")
    return case, await relation(case, channel, external_id)


async def may_rate(case: Case, channel: str, external_id: str, related: Relation) -> bool:
    """The reporter rates their case; a co-reporter only answers the survey they were sent for this round."""
    return related is Relation.OWN or await Survey.exists(case_no=case.case_no, round=case.reopen_count,
                                                          channel=channel, reporter=external_id)


async def listed(channel: str, external_id: str, related: str) -> QuerySet[Case]:
    """The resident's cases of one relation (``own`` or ``seconded``), for paging."""
    if related == Relation.OWN:
        return Case.filter(channel=channel, reporter=external_id)
    if related == Relation.SECONDED:
        seconded = await CoReporter.filter(channel=channel, reporter=external_id).values_list("case_no", flat=True)
        return Case.filter(case_no__in=[str(c) for c in seconded])
    raise Invalid("relation must be own or seconded")


async def page(channel: str, external_id: str, related: str, offset: int, limit: int) -> tuple[int, list[Case]]:
    """One page of :func:`listed`, newest first, with the total."""
    query = await listed(channel, external_id, related)
    return await query.count(), await query.order_by("-opened_at", "-id").offset(offset).limit(limit)


async def recent(channel: str, external_id: str, limit: int = 5) -> list[Case]:
    """The resident's own reports and those they seconded, newest first."""
    rows = await (await listed(channel, external_id, Relation.OWN)).order_by("-opened_at").limit(limit)
    rows += await (await listed(channel, external_id, Relation.SECONDED)).order_by("-opened_at").limit(limit)
    rows.sort(key=lambda c: c.opened_at, reverse=True)
    return rows[:limit]
