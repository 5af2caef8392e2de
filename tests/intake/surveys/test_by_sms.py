"""回访 of callers by SMS: a hotline reporter is asked when SMS surveys are on (no subscriber row needed), and
the provider's uplink reply is matched by number to their open survey and recorded as the answer."""

from __future__ import annotations

from intake.cases.intake import open_case
from intake.cases.model import NewReport
from intake.store.models import Rating
from intake.store.models_surveys import Survey
from intake.surveys.by_sms import answer_text
from tests.conftest import Services
from tests.intake.surveys.helpers import TO_CLOSED, World, world

HOTLINE = frozenset({"hotline"})


def number(uid: str) -> str:
    """A mainland mobile number of this test's own (reporters are matched by number across the database)."""
    return f"139{int(uid, 16) % 10**8:08d}"


async def closed_hotline_case(w: World, reporter: str) -> str:
    index = w.ctx.grid.index
    lng, lat = index.centroid(index.leaves[44].code)
    opened = await open_case(w.ctx, NewReport("hotline", reporter, "路灯不亮了，晚上很黑", lng, lat, category="01037"))
    await w.step(opened.case.case_no, *TO_CLOSED)
    return opened.case.case_no


async def test_a_caller_is_asked_and_their_texted_reply_is_the_answer(svc: Services, uid: str) -> None:
    w, mobile = world(svc, texted=HOTLINE), number(uid)
    desk_typed = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"  # as the desk wrote it down
    case_no = await closed_hotline_case(w, desk_typed)
    assert w.kinds(case_no) == [("survey.request", desk_typed)]
    assert await answer_text(w.ctx, f"+86{mobile}", "1", HOTLINE) is None  # not asked yet (the 24 h delay)
    svc.clock.advance(hours=25)
    assert await answer_text(w.ctx, f"+86{mobile}", "我要反映一个新问题：楼下有人占道经营很久了", HOTLINE) is None
    assert await answer_text(w.ctx, "+8613000000000", "1", HOTLINE) is None  # nobody's survey
    done = await answer_text(w.ctx, f"+86{mobile}", "1 很好，谢谢", HOTLINE)
    assert done is not None and (done.case_no, done.score, done.effect) == (case_no, 1, "none")
    rating = await Rating.get(case_no=case_no)
    assert (rating.channel, rating.reporter, rating.score) == ("hotline", desk_typed, 1)
    assert (await Survey.get(case_no=case_no)).via == "sms"
    assert await answer_text(w.ctx, f"+86{mobile}", "3", HOTLINE) is None  # answered once: the next is dropped


async def test_without_sms_surveys_a_caller_is_not_asked(svc: Services, uid: str) -> None:
    w = world(svc)
    case_no = await closed_hotline_case(w, number(uid))
    assert w.kinds(case_no) == [] and not await Survey.exists(case_no=case_no)
