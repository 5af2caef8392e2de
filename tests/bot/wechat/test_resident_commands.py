"""A resident's own report in the 公众号: 催办 (at most once per N hours, counted), 补充 (text or a location),
撤件 and 我的网格员, each spelled in zh_CN, zh_HK and English and answered in that script (both databases)."""

from __future__ import annotations

import itertools

import pytest

from bot.storage.memory import MemoryStore
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.service import Dialogue
from bot.wechat.words import command_of
from intake.cases.contact import mask_name
from intake.cases.model import ActionRequest, Actor
from intake.cases.states import Role
from intake.cases.workflow import act
from intake.grid.geodesy import haversine_m
from intake.store.models import Case, CaseEvent
from tests.bot.test_dialogue import Chat
from tests.bot.wechat.test_callback_view import empty_cell
from tests.conftest import Services

DESK = Actor(ref="test-desk", name="测试调度员", role=Role.ADMIN)


@pytest.fixture
def chat(svc: Services, uid: str) -> Chat:
    return Chat(Dialogue(svc.ctx, DraftStore(MemoryStore()), build_router()), f"r{uid}", svc)


_own_cells = itertools.count(start=5003, step=53)  # apart from test_dialogue's, so no report looks like a duplicate


async def reported(chat: Chat, text: str = "路灯坏了，晚上很黑") -> Case:
    await chat.say(text)
    # A cell with no case in or beside it: another test's similar report there, made at the same fake moment,
    # would turn this one into a 附议 offer and open no case.
    await chat.location(await empty_cell(chat.svc, next(_own_cells)))
    await chat.say("1")
    return await Case.filter(reporter=chat.openid).order_by("-id").first()  # type: ignore[return-value]


@pytest.mark.parametrize(("text", "found"), [
    ("催办", ("urge", "")), ("催辦 440307-20261118-00002-7", ("urge", "440307-20261118-00002-7")),
    ("urge", ("urge", "")), ("urgent: water is leaking everywhere", None),
    ("补充楼道也很黑", ("supplement", "楼道也很黑")),
    ("add details the pole leans", ("supplement", "the pole leans")), ("additional lamps broken", None),
    ("撤件", ("withdraw", "")), ("withdrawal of the old bike", None), ("我的網格員", ("my_worker", "")),
    ("My grid worker", ("my_worker", "")),
])
def test_the_words_and_their_boundaries(text: str, found: tuple[str, str] | None) -> None:
    assert command_of(text) == found


@pytest.mark.parametrize(("word", "done", "soon"), [
    ("催办", "已为您催办", "小时内只能催办一次"), ("催辦", "已為您催辦", "小時內只能催辦一次"),
    ("urge", "We have urged", "you can urge it again in 24 hours"),
])
async def test_urge_once_per_period_and_counted(chat: Chat, svc: Services, word: str, done: str, soon: str) -> None:
    case = await reported(chat)
    assert done in await chat.say(word)
    assert soon in await chat.say(word)
    svc.clock.advance(hours=24)
    assert done in await chat.say(f"{word} {case.case_no}")
    urged = await CaseEvent.filter(case_no=case.case_no, action="resident_urge").order_by("seq")
    counts = [e.data["count"] for e in urged]
    assert counts == [1, 2]


@pytest.mark.parametrize(("word", "text", "added", "ask"), [
    ("补充", "楼道里也没有灯", "已补充到诉求", "请发送要补充"),
    ("補充", "樓道裏也沒有燈", "已補充到訴求", "請發送要補充"),
    ("add details", "the stairwell is dark too", "Added to case", "Send the details"),
])
async def test_supplement_text_at_once_or_a_location_next(chat: Chat, svc: Services, word: str, text: str,
                                                          added: str, ask: str) -> None:
    case = await reported(chat)
    assert added in await chat.say(f"{word} {text} ")
    assert ask in await chat.say(word)
    assert added in await chat.location(chat.last_n, label="大鹏新区某小区")
    events = await CaseEvent.filter(case_no=case.case_no, action="supplement").order_by("seq")
    assert events[0].data == {"text": text}
    assert events[1].data["text"] == "大鹏新区某小区" and case.lat is not None and case.lng is not None
    assert haversine_m(events[1].data["lng"], events[1].data["lat"], case.lng, case.lat) < 5  # stored as WGS-84
    assert (await Case.get(case_no=case.case_no)).description == case.description  # the report stays as filed


@pytest.mark.parametrize(("word", "gone", "too_late", "none"), [
    ("撤件", "已撤件", "不能再撤件", "没有正在办理"), ("撤回", "已撤件", "不能再撤件", "没有正在办理"),
    ("withdraw", "has been withdrawn", "can no longer be withdrawn", "no open report"),
])
async def test_withdraw_before_dispatch_only(chat: Chat, svc: Services, word: str, gone: str, too_late: str,
                                             none: str) -> None:
    assert none in await chat.say(word)
    first = await reported(chat)
    second = await reported(chat, "井盖丢了，很危险")
    for action, params in (("register", {}), ("dispatch", {"department": "440307-water"})):
        await act(svc.ctx, second.case_no, DESK, ActionRequest(action, params=params))
    assert too_late in await chat.say(word)  # the latest open report is being handled
    assert gone in await chat.say(f"{word} {first.case_no}")
    assert (await Case.get(case_no=first.case_no)).status == "withdrawn"
    missing = await chat.say(f"{word} 440307-20261118-00002-7")  # not theirs, or no such case
    assert ("没有找到" in missing) if word != "withdraw" else ("No report of yours" in missing)


@pytest.mark.parametrize(("word", "card", "unknown"), [
    ("我的网格员", "您的网格员：", "暂时查不到"), ("我的網格員", "您的網格員：", "暫時查不到"),
    ("my grid worker", "Your grid worker:", "do not know your grid worker"),
])
async def test_my_grid_worker_card(chat: Chat, svc: Services, word: str, card: str, unknown: str) -> None:
    assert unknown in await chat.say(word)
    case = await reported(chat)
    assert case.grid_code is not None
    worker = await svc.ctx.grid.worker_for(case.grid_code)
    assert worker is not None
    reply = await chat.say(word)
    assert card in reply and mask_name(worker.name) in reply and worker.name not in reply
    assert svc.ctx.tasks.office_hours in reply
    if worker.phone and not worker.wecom_userid:
        assert worker.phone not in reply and worker.phone[-4:] in reply


async def test_urging_a_finished_case_and_someone_elses(chat: Chat, svc: Services, uid: str) -> None:
    case = await reported(chat)
    await act(svc.ctx, case.case_no, DESK, ActionRequest("reject", note="不属实"))
    assert "已办结" in await chat.say(f"催办 {case.case_no}")
    assert "没有正在办理" in await chat.say("催办")
    neighbour = Chat(chat.d, f"n{uid}", svc)
    theirs = await reported(neighbour)
    assert "没有找到" in await chat.say(f"催办 {theirs.case_no}")
    assert await CaseEvent.filter(case_no=theirs.case_no, action="resident_urge").count() == 0
