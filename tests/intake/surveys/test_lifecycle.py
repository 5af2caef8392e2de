"""Surveys come and go with the case: scheduled on 结案, withdrawn on reopening, never twice, never to the excluded."""

from __future__ import annotations

from datetime import timedelta

from intake.cases.model import ActionRequest
from intake.cases.workflow import act
from intake.store.models import Case
from intake.store.models_surveys import Survey
from intake.surveys import lifecycle
from intake.surveys.answers import open_survey
from intake.surveys.reminders import remind
from tests.conftest import Services
from tests.intake.surveys.helpers import DESK, TO_CLOSED, world


async def test_closing_asks_the_reporter_and_every_subscribed_co_reporter(svc: Services, uid: str) -> None:
    w = world(svc)
    reporter, english, gone, stranger = f"a{uid}", f"b{uid}", f"c{uid}", f"d{uid}"
    await w.resident(reporter)
    await w.resident(english, lang="en")
    await w.resident(gone, subscribed=False)  # unsubscribed from the 公众号
    case_no = await w.report(reporter)
    for ref in (english, gone, stranger):  # the stranger never wrote to us: no resident row, nobody to ask
        await act(w.ctx, case_no, DESK, ActionRequest("second", params={"channel": "wechat", "reporter": ref}))
    case = await w.step(case_no, *TO_CLOSED)
    assert w.kinds(case_no) == [("survey.request", reporter), ("survey.request", english)]
    asks = [n for n in w.sent.for_case(case_no) if n.kind == "survey.request"]
    assert case.closed_at is not None
    assert all(n.not_before == case.closed_at + timedelta(hours=24) for n in asks)
    assert {n.group for n in asks} == {f"survey:{case_no}"}
    assert asks[0].key == f"survey:{case_no}:0:wechat:{reporter}:survey.request"
    assert asks[0].payload["text"] == (f"您反映的 {case_no}（路灯异常）已办结：已更换灯泡，恢复照明。"
                                       "请评价：回复 1 满意 / 2 基本满意 / 3 不满意，可附一句说明")
    assert asks[1].payload["text"].startswith(f"Your report {case_no} (")
    rows = await Survey.filter(case_no=case_no).order_by("id")
    assert [(r.reporter, r.round, r.status, r.lang) for r in rows] == [(reporter, 0, "pending", "zh_CN"),
                                                                      (english, 0, "pending", "en")]
    assert rows[0].grid_code == case.grid_code and rows[0].assignee_user_id == case.assignee_user_id
    assert rows[0].month == "2026-11"


async def test_never_twice_for_the_same_closing(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    case = await w.step(case_no, *TO_CLOSED)
    again = await lifecycle.schedule(w.ctx, case, "再来一次", [])
    assert again == [] and await Survey.filter(case_no=case_no).count() == 1
    assert len(w.kinds(case_no)) == 1


async def test_no_survey_for_anonymous_withdrawn_or_rejected_reports(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    anonymous = await w.report(f"a{uid}", anonymous=True)
    await w.step(anonymous, *TO_CLOSED)
    withdrawn = await w.report(f"a{uid}", leaf=41)
    await w.step(withdrawn, "withdraw")
    rejected = await w.report(f"a{uid}", leaf=42)
    await w.step(rejected, "verify", "reject")
    for case_no in (anonymous, withdrawn, rejected):
        assert await Survey.filter(case_no=case_no).count() == 0
        assert w.kinds(case_no) == []
    assert (await Case.get(case_no=withdrawn)).status == "withdrawn"
    assert (await Case.get(case_no=rejected)).status == "rejected"


async def test_reopening_before_the_survey_goes_out_withdraws_it(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    await w.step(case_no, *TO_CLOSED)
    svc.clock.advance(hours=2)
    await act(w.ctx, case_no, DESK, ActionRequest("reopen", note="居民来电说灯又坏了"))
    assert w.sent.withdrawn == [f"survey:{case_no}"]
    assert [s.status for s in await Survey.filter(case_no=case_no)] == ["withdrawn"]
    svc.clock.advance(hours=30)
    assert await open_survey("wechat", f"a{uid}", svc.clock.now) is None


async def test_a_survey_is_open_from_its_sending_until_the_window_closes(svc: Services, uid: str) -> None:
    w = world(svc, window=timedelta(days=3))
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    await w.step(case_no, *TO_CLOSED)
    assert await open_survey("wechat", f"a{uid}", svc.clock.now) is None  # not sent yet
    svc.clock.advance(hours=24)
    found = await open_survey("wechat", f"a{uid}", svc.clock.now)
    assert found is not None and found.case_no == case_no
    assert await open_survey("wechat", f"a{uid}", svc.clock.now, case_no="other") is None
    svc.clock.advance(days=3)
    assert await open_survey("wechat", f"a{uid}", svc.clock.now) is None  # expired


async def test_one_reminder_at_most(svc: Services, uid: str) -> None:
    w = world(svc)
    await w.resident(f"a{uid}")
    case_no = await w.report(f"a{uid}")
    await w.step(case_no, *TO_CLOSED)
    svc.clock.advance(hours=24 + 47)
    await remind(w.ctx)
    assert w.kinds(case_no) == [("survey.request", f"a{uid}")]
    svc.clock.advance(hours=2)
    assert await remind(w.ctx) >= 1
    svc.clock.advance(hours=30)
    await remind(w.ctx)
    assert w.kinds(case_no) == [("survey.request", f"a{uid}"), ("survey.reminder", f"a{uid}")]
    reminder = w.sent.for_case(case_no)[-1]
    assert reminder.key.endswith(":survey.reminder") and reminder.not_before is None
    assert reminder.payload["text"].startswith(f"温馨提示：您反映的 {case_no}（路灯异常）")
    assert (await Survey.get(case_no=case_no)).reminded_at is not None
