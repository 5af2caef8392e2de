"""派遣 with 协办 in one go, as the desk does it: the lead unit's ``dispatch`` and one ``assist`` per helping unit.

All or nothing: the steps run in one transaction (``act`` joins it), so a helper that cannot assist (the lead
itself, an unknown or another district's department, too many) leaves the case undispatched, with the reason.
Each step is still its own event on the chain, exactly as if taken one by one through the API.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from intake.cases.assists import MAX_ASSISTS
from intake.cases.context import CaseContext
from intake.cases.model import ActionRequest, Actor
from intake.cases.workflow import act
from intake.errors import Invalid
from intake.store.models import Case


async def dispatch_with_assists(ctx: CaseContext, case_no: str, actor: Actor, request: ActionRequest,
                                departments: Sequence[str] = ()) -> Case:
    """``request`` is the lead's ``dispatch``; each of ``departments`` (codes or lines) gets a 协办 sub-task."""
    if request.action != "dispatch":
        raise Invalid("assisting units come with a dispatch")
    helpers = list(dict.fromkeys(d for d in departments if d))
    if len(helpers) > MAX_ASSISTS:
        raise Invalid(f"a case has at most {MAX_ASSISTS} assisting units")
    if not helpers:
        return await act(ctx, case_no, actor, request)
    async with in_transaction():
        case = await act(ctx, case_no, actor, request)
        for code in helpers:
            case = await act(ctx, case_no, actor, ActionRequest("assist", request.note, params={"department": code}))
    return case
