"""Survey answers through the signed 公众号 callback: matched to the open survey, or on to the report conversation."""

from __future__ import annotations

import time

from intake.store.models import CaseEvent, Rating
from intake.store.models_surveys import Survey, SurveyEffect
from tests.bot.surveys.conftest import AGAIN, ROAD, App, openid
from tests.bot.wechat import signing


async def _closed_and_sent(app: App, who: str) -> str:
    assert await app.say(who, "帮助")  # first contact: the resident row exists from here on
    case_no = await app.report("wechat", who)
    await app.walk(case_no, *ROAD)
    app.svc.clock.advance(hours=25)  # the survey went out
    return case_no


async def test_unhappy_in_chat_reopens_then_escalates(app: App) -> None:
    who = openid()
    case_no = await _closed_and_sent(app, who)
    asked = [n for n in app.sent if n.case_no == case_no and n.kind == "survey.request"]
    assert len(asked) == 1 and asked[0].recipient.ref == who and asked[0].recipient.channel == "wechat"
    assert asked[0].payload["text"].startswith(f"您反映的 {case_no}（路灯异常）已办结：已修复，恢复照明。请评价：")
    reply = await app.say(who, "3，还是没修好")
    assert "已重新办理" in reply and case_no in reply
    assert await app.status(case_no) == "registered"
    reopen = await CaseEvent.filter(case_no=case_no, action="reopen").first()
    assert reopen is not None and (reopen.role, reopen.note) == ("system", "回访不满意：还是没修好")
    rating = await Rating.get(case_no=case_no, reporter=who)
    assert (rating.score, rating.comment, rating.round) == (3, "还是没修好", 0)
    await app.walk(case_no, *AGAIN)
    app.svc.clock.advance(hours=25)
    reply = await app.say(who, "不满意")
    assert "转交上级督办" in reply
    assert await app.status(case_no) == "closed"
    assert [e.kind for e in await SurveyEffect.filter(case_no=case_no).order_by("id")] == ["reopen", "escalate"]
    escalated = [n for n in app.sent if n.case_no == case_no and n.kind == "survey.escalated"]
    assert len(escalated) == 1 and escalated[0].recipient.kind == "supervisor"


async def test_happy_words_thank_and_leave_the_case_closed(app: App) -> None:
    who = openid()
    case_no = await _closed_and_sent(app, who)
    reply = await app.say(who, "挺好的，谢谢")
    assert f"感谢您对 {case_no} 的评价" in reply
    assert (await Rating.get(case_no=case_no, reporter=who)).score == 1
    assert await app.status(case_no) == "closed"
    # Answered: the same words now start an ordinary conversation, not a second rating.
    again = await app.say(who, "满意")
    assert "感谢" not in again and await Rating.filter(case_no=case_no, reporter=who).count() == 1


async def test_no_open_survey_means_the_normal_conversation(app: App) -> None:
    who = openid()
    await app.say(who, "帮助")
    case_no = await app.report("wechat", who)
    await app.walk(case_no, *ROAD)
    reply = await app.say(who, "1")  # closed, but the survey is not sent for another day
    assert "评价" not in reply and await Rating.filter(reporter=who).count() == 0
    assert await app.say(who, "取消") != ""
    stranger = openid()
    assert "评价" not in await app.say(stranger, "不满意")  # never reported anything


async def test_a_report_in_progress_keeps_its_digits(app: App) -> None:
    who = openid()
    case_no = await _closed_and_sent(app, who)
    first = await app.say(who, "小区东门的路灯也坏了")  # a new report starts
    assert "评价" not in first
    assert "评价" not in await app.say(who, "3")  # part of the draft, not a rating
    assert await Rating.filter(case_no=case_no).count() == 0
    await app.say(who, "取消")
    assert "感谢" in await app.say(who, "2")
    assert (await Rating.get(case_no=case_no)).score == 2


async def test_unclear_and_hostile_answers(app: App) -> None:
    who = openid()
    case_no = await _closed_and_sent(app, who)
    for unclear in ("1 不满意", "1 2 3", "１/３"):
        assert "请用一个数字评价" in await app.say(who, unclear), unclear
    for odd in ("🙂🙂🙂", "\u202e3\u202c", "x" * 3000, "13800001111"):
        assert "评价" not in await app.say(who, odd)
        await app.say(who, "取消")
    assert await Rating.filter(case_no=case_no).count() == 0
    reply = await app.say(who, "３ " + "灯还是不亮😡" * 200)
    assert "已重新办理" in reply
    rating = await Rating.get(case_no=case_no)
    assert rating.score == 3 and rating.comment is not None and len(rating.comment) == 500
    assert (await Survey.get(case_no=case_no)).via == "wechat"


async def test_unsubscribed_residents_are_not_asked(app: App) -> None:
    who = openid()
    await app.say(who, "帮助")
    event = signing.message_xml({"ToUserName": "gh_gridline0001", "FromUserName": who,
                                 "CreateTime": int(time.time()), "MsgType": "event", "Event": "unsubscribe"})
    req = signing.plain_request(app.keys, event, timestamp=int(time.time()), nonce="unsub" + who[-8:])
    async with app.client.post("/wechat", params=req.query, data=req.body) as resp:
        assert resp.status == 200
    case_no = await app.report("wechat", who)
    await app.walk(case_no, *ROAD)
    assert await Survey.filter(case_no=case_no).count() == 0
    assert not [n for n in app.sent if n.case_no == case_no and n.kind.startswith("survey.")]
