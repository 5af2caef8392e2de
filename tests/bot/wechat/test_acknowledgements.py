"""What the resident is told back, in zh_CN, zh_HK and en: photos counted, 已派遣 for an auto-dispatched case,
a deadline a person reads ("12月9日（周三）中午前"), and duplicates offered by category, place and time only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.storage.memory import MemoryStore
from bot.wechat import when
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.service import Dialogue
from intake.cases.states import Status
from intake.i18n import gettext_for
from intake.store.models import Case, UserGrid
from tests.bot.test_dialogue import Chat
from tests.bot.wechat.test_callback_view import empty_cell
from tests.conftest import Services


@pytest.fixture
def chat(svc: Services, uid: str) -> Chat:
    return Chat(Dialogue(svc.ctx, DraftStore(MemoryStore()), build_router()), f"a{uid}", svc)


@pytest.mark.parametrize(("lang", "utc_hour", "expected"), [
    ("zh_CN", 1, "12月9日（周三）中午前"), ("zh_HK", 1, "12月9日（週三）中午前"), ("en", 1, "by noon on Wed, Dec 9"),
    ("zh_CN", 8, "12月9日（周三）下午 6 点前"), ("zh_CN", 12, "12月9日（周三）内"),
    ("en", 12, "by the end of Wed, Dec 9"),
    ("zh_CN", 16, "12月10日（周四）中午前"),  # 00:15 in Shanghai is a morning, not "12-10 00:15"
])
def test_deadlines_read_as_a_day_and_a_part_of_it(lang: str, utc_hour: int, expected: str) -> None:
    moment = datetime(2026, 12, 9, utc_hour, 15, tzinfo=UTC)
    assert when.deadline(lang, moment, gettext_for(lang).gettext) == expected


@pytest.mark.parametrize(("complaint", "counted", "confirm"), [
    ("路边井盖松动了很危险", "照片：2 张", "共2张"), ("路邊井蓋鬆動了很危險", "相片：2 張", "共2張"),
    ("The manhole cover on the pavement is loose", "Photos: 2", "2 so far"),
])
async def test_photos_are_acknowledged_and_counted(chat: Chat, complaint: str, counted: str, confirm: str) -> None:
    await chat.say(complaint)
    await chat.location()
    first = await chat.photo("m1")
    assert counted.replace("2", "1") in first  # the confirmation shows again, with the photo
    second = await chat.photo("m2")
    assert confirm in second and counted in second


@pytest.mark.parametrize(("complaint", "submitted"), [
    ("小区门口路灯坏了，晚上很黑", "预计"), ("小區門口路燈壞了，晚上很黑", "預計"),
    ("The streetlight at the gate is broken, it is dark at night", "Expect an answer"),
])
async def test_submitted_says_dispatched_and_a_readable_deadline(chat: Chat, complaint: str, submitted: str) -> None:
    await chat.say(complaint)
    await chat.location()
    reply = await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    assert submitted in reply and case.case_no in reply
    assert f"{case.deadline_at:%m-%d %H:%M}" not in reply
    dispatched = ("已派遣" in reply or "dispatched" in reply)
    assert dispatched == (case.status == Status.DISPATCHED)


@pytest.mark.parametrize(("first", "second", "offer"), [
    ("小区门口路灯坏了，晚上很黑 电话13800138000", "小区门口的路灯坏了好几天", "回复“附议”加入已有诉求"),
    ("小區門口路燈壞了，晚上很黑 電話13800138000", "小區門口的路燈壞了好幾天", "回覆「附議」加入已有訴求"),
    ("小区门口路灯坏了，晚上很黑 电话13800138000", "english", "reply second to join"),
])
async def test_duplicates_are_offered_without_the_other_residents_words(svc: Services, uid: str, chat: Chat,
                                                                       first: str, second: str, offer: str) -> None:
    other = Chat(chat.d, f"b{uid}", svc)
    await other.say(first)
    # A cell with no case in it or beside it: the shared database holds other tests' 路灯 reports made at the same fake
    # moment, and one in this cell turned the first report itself into an offer (so no case of its own).
    await other.location(await empty_cell(svc, int(uid, 16)))
    await other.say("1")
    svc.clock.advance(hours=3)
    if second == "english":  # a resident who chose English, reporting in Chinese
        await chat.say(second)
        second = "小区门口的路灯坏了好几天"
    await chat.say(second)
    await chat.location(other.last_n)
    reply = await chat.say("1")
    assert offer in reply and ("3小时前" in reply or "3 小時前" in reply or "3 hours ago" in reply), reply
    assert "13800138000" not in reply and "晚上很黑" not in reply
    case = await Case.get(reporter=other.openid)
    assert case.case_no not in reply


@pytest.mark.parametrize(("complaint", "dispatched"), [
    ("路边有人乱扔垃圾，暴露垃圾没人管", "已派遣"), ("路邊有人亂扔垃圾，暴露垃圾沒人管", "已派遣"),
])
async def test_an_auto_dispatched_case_says_dispatched(svc: Services, chat: Chat, complaint: str,
                                                       dispatched: str) -> None:
    worked = set(await UserGrid.filter(user__role="worker").values_list("grid_code", flat=True))
    leaves = svc.ctx.grid.index.leaves
    n = max(i for i, leaf in enumerate(leaves) if leaf.code in worked)  # a cell with a worker, few tests use it
    await chat.say(complaint)
    await chat.location(n)
    reply = await chat.say("1")
    if (await chat.d.drafts.load(chat.openid)).state == "offering":
        reply = await chat.say("新建")
    case = await Case.get(reporter=chat.openid)
    assert svc.ctx.taxonomy.catalog.get(case.category_code or "").self_handle, case.category_code
    assert case.status == Status.DISPATCHED and dispatched in reply, reply


@pytest.mark.parametrize(("complaint", "category"), [
    ("The streetlight at the gate is broken, it is dark at night", "Streetlight out or damaged"),
    ("There is a big pothole on the road near the school", "Damaged road"),
])
async def test_an_english_complaint_is_classified_and_answered_in_english(chat: Chat, complaint: str,
                                                                          category: str) -> None:
    assert "Where is it" in await chat.say(complaint)
    summary = await chat.location()
    assert f"Category: {category}" in summary, summary
