"""The 公众号 dialogue, message by message, on both databases (the callback protocol is tested apart)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest

from bot.storage.memory import MemoryStore
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.service import Dialogue
from intake.cases import repo
from intake.grid.geodesy import wgs84_to_gcj02
from intake.store.models import Case, CoReporter, InboundMessage, Resident
from tests.conftest import Services

# Each report lands in its own cell, so reports of different tests never look like duplicates.
_cells = itertools.count(start=200, step=41)


@dataclass
class Msg:
    kind: str
    from_user: str
    content: str | None = None
    recognition: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    lat: float | None = None
    lng: float | None = None
    label: str | None = None
    event: str | None = None
    event_key: str | None = None


class Chat:
    def __init__(self, dialogue: Dialogue, openid: str, svc: Services) -> None:
        self.d, self.openid, self.svc = dialogue, openid, svc
        self.last_n = 0

    async def say(self, text: str) -> str:
        return await self._send(Msg("text", self.openid, content=text))

    async def voice(self, recognition: str) -> str:
        return await self._send(Msg("voice", self.openid, recognition=recognition, media_id="v1"))

    async def photo(self, media_id: str) -> str:
        return await self._send(Msg("image", self.openid, media_id=media_id, pic_url="http://mmbiz/x.jpg"))

    async def location(self, n: int | None = None, label: str = "大鹏街道某路口") -> str:
        n = next(_cells) if n is None else n
        self.last_n = n
        leaf = self.svc.ctx.grid.index.leaves[n]
        lng, lat = wgs84_to_gcj02(*self.svc.ctx.grid.index.centroid(leaf.code))
        return await self._send(Msg("location", self.openid, lat=lat, lng=lng, label=label))

    async def event(self, name: str, key: str | None = None) -> str:
        return await self._send(Msg("event", self.openid, event=name, event_key=key))

    async def _send(self, msg: Msg) -> str:
        return (await self.d.answer(msg)) or ""


def case_no_of(reply: str) -> str:
    return next(word.strip("，。,.") for word in reply.split() if word.count("-") == 3)


@pytest.fixture
def chat(svc: Services, uid: str) -> Chat:
    dialogue = Dialogue(svc.ctx, DraftStore(MemoryStore()), build_router())
    return Chat(dialogue, f"o{uid}", svc)


async def test_text_then_location_then_confirm_opens_a_case(chat: Chat) -> None:
    assert "在哪里" in await chat.say("路灯坏了，晚上很黑")
    summary = await chat.location()
    assert "回复“1”确认提交，回复“2”修改类别，回复“3”补充说明" in summary
    assert "类别" in summary and "网格" in summary
    reply = await chat.say("1")
    assert "诉求编号" in reply
    case = await Case.get(reporter=chat.openid)
    assert case.channel == "wechat" and case.case_no in reply and case.grid_code is not None


async def test_location_first_then_voice(chat: Chat) -> None:
    assert "发生了什么" in await chat.location()
    assert "请确认" in await chat.voice("小区门口垃圾堆满了没人清理")


async def test_empty_voice_recognition_asks_to_type(chat: Chat) -> None:
    assert "输入文字" in await chat.voice("")


async def test_photos_are_kept_and_missing_parts_asked(chat: Chat) -> None:
    assert "共1张" in await chat.photo("m1")
    assert "共2张" in await chat.photo("m2")
    await chat.say("路边井盖松动了")
    await chat.location()
    await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    assert case.photos == ["wechat-media:m1", "wechat-media:m2"]


async def test_typed_address_is_accepted_as_the_place(chat: Chat) -> None:
    assert "在哪里" in await chat.say("路灯坏了")
    assert "请确认" in await chat.say("较场尾")


async def test_change_category_by_number(chat: Chat) -> None:
    await chat.say("楼下垃圾桶满了一直没人清运")
    await chat.location()
    listing = await chat.say("2")
    assert "1." in listing
    again = await chat.say("2")
    assert "请确认" in again
    await chat.say("1")
    assert (await Case.get(reporter=chat.openid)).category_code is not None


async def test_add_details_then_confirm(chat: Chat) -> None:
    await chat.say("路灯坏了")
    await chat.location()
    assert "补充" in await chat.say("3")
    assert "请确认" in await chat.say("已经坏了三天了")
    await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    assert "三天" in case.description


async def test_duplicates_are_offered_and_seconding_joins(svc: Services, uid: str, chat: Chat) -> None:
    await chat.say("小区门口路灯坏了，晚上很黑")
    await chat.location()
    first = await chat.say("1")
    assert "诉求编号" in first
    neighbour = Chat(chat.d, f"p{uid}", svc)
    await neighbour.say("小区门口的路灯坏了好几天")
    await neighbour.location(n=chat.last_n)
    offer = await neighbour.say("1")
    assert "已有“路灯" in offer and "回复“附议”加入已有诉求，回复“新建”单独提交" in offer
    assert "晚上很黑" not in offer and case_no_of(first) not in offer  # never another resident's words (#16)
    assert "已附议" in await neighbour.say("附议")
    case = await Case.get(reporter=chat.openid)
    assert await CoReporter.exists(case_no=case.case_no, reporter=neighbour.openid)
    assert not await Case.exists(reporter=neighbour.openid)


async def test_new_instead_of_second_opens_a_separate_case(svc: Services, uid: str, chat: Chat) -> None:
    await chat.say("小区门口路灯坏了，晚上很黑")
    await chat.location()
    await chat.say("1")
    other = Chat(chat.d, f"q{uid}", svc)
    await other.say("小区门口的路灯坏了好几天")
    await other.location(n=chat.last_n)
    await other.say("1")
    assert "诉求编号" in await other.say("新建")
    assert await Case.exists(reporter=other.openid)


async def test_auto_submit_skips_confirmation(chat: Chat) -> None:
    assert "不再确认" in await chat.say("设置 自动提交")
    await chat.say("路灯坏了")
    assert "诉求编号" in await chat.location()


async def test_cancel_drops_the_draft(chat: Chat) -> None:
    assert "没有正在填写" in await chat.say("取消")
    await chat.say("路灯坏了")
    assert "已取消" in await chat.say("取消")
    assert "发生了什么" in await chat.location()


async def test_my_cases_and_progress(chat: Chat) -> None:
    assert "还没有" in await chat.say("查询")
    await chat.say("路灯坏了")
    await chat.location()
    await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    listing = await chat.event("click", "MY_CASES")
    assert case.case_no in listing and "办理时限" in listing
    assert case.case_no in await chat.say(f"进度 {case.case_no}")
    assert "核对编号" in await chat.say("进度 440307-20260101-00001-0")


async def test_progress_of_someone_elses_case_is_not_found(svc: Services, uid: str, chat: Chat) -> None:
    await chat.say("路灯坏了")
    await chat.location()
    await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    stranger = Chat(chat.d, f"s{uid}", svc)
    assert "核对编号" in await stranger.say(f"进度 {case.case_no}")


async def test_language_switch(chat: Chat) -> None:
    assert await chat.say("English") == "Language set to English."
    assert "Where is it?" in await chat.say("路灯坏了")
    assert await chat.say("繁體") == "已切換為繁體中文。"
    assert "已切换为简体中文" in await chat.say("中文")


async def test_subscribe_with_grid_qr_binds_home(svc: Services, chat: Chat) -> None:
    code = svc.ctx.grid.index.leaves[3].code
    assert "欢迎" in await chat.event("subscribe", f"qrscene_{code}")
    resident = await Resident.get(external_id=chat.openid)
    assert resident.home_grid == code and resident.subscribed


async def test_unsubscribe_stops_pushes(chat: Chat) -> None:
    await chat.event("subscribe")
    assert await chat.event("unsubscribe") == ""
    assert not (await Resident.get(external_id=chat.openid)).subscribed


async def test_location_event_is_kept_only_when_allowed(chat: Chat) -> None:
    await chat.d.answer(Msg("event", chat.openid, event="location", lat=22.6, lng=114.5))
    assert (await Resident.get(external_id=chat.openid)).last_lat is None
    await chat.say("设置 共享位置")
    await chat.d.answer(Msg("event", chat.openid, event="location", lat=22.6, lng=114.5))
    assert (await Resident.get(external_id=chat.openid)).last_lat == 22.6


async def test_alerts_menu_binds_home_grid(chat: Chat) -> None:
    assert "家的位置" in await chat.event("click", "ALERTS")
    assert "已订阅" in await chat.location()
    assert (await Resident.get(external_id=chat.openid)).home_grid is not None


async def test_location_select_event_counts_as_a_location(svc: Services, chat: Chat) -> None:
    await chat.say("路灯坏了")
    leaf = svc.ctx.grid.index.leaves[next(_cells)]
    lng, lat = wgs84_to_gcj02(*svc.ctx.grid.index.centroid(leaf.code))
    reply = await chat.d.answer(Msg("event", chat.openid, event="location_select", lat=lat, lng=lng, label="x"))
    assert reply is not None and "请确认" in reply


async def test_inbound_is_persisted_once(svc: Services, chat: Chat) -> None:
    msg = Msg("text", chat.openid, content="你好")
    first = await chat.d.arrive(msg, f"msg:{chat.openid}", {"Content": "你好"})
    again = await chat.d.arrive(msg, f"msg:{chat.openid}", {"Content": "你好"})
    assert first.stored and not again.stored
    assert first.resident.id == again.resident.id and first.resident.external_id == chat.openid
    assert again.resident.last_seen_at is not None
    stored = await InboundMessage.get(external_id=chat.openid)
    assert (stored.kind, stored.content, stored.channel) == ("text", "你好", "wechat")
    assert stored.payload == {"Content": "你好"}


async def test_submitted_case_is_in_the_event_log_as_resident(chat: Chat) -> None:
    await chat.say("路灯坏了")
    await chat.location()
    await chat.say("1")
    case = await Case.get(reporter=chat.openid)
    first = (await repo.events(case.case_no))[0]
    assert first.role == "resident" and first.actor == f"wechat:{chat.openid}"


async def test_a_resident_sees_what_is_kept_and_deletes_it_by_text(chat: Chat) -> None:
    await chat.say("路灯坏了，晚上很黑")
    await chat.location()
    case_no = re.search(r"\d{6}-\d{8}-\d{5}-\d", await chat.say("1"))
    assert case_no is not None
    kept = await chat.say("我的数据")
    assert "1 条诉求" in kept and case_no.group(0) in kept and "删除我的数据" in kept
    assert "确认删除我的数据" in await chat.say("删除我的数据")  # asks first; nothing deleted yet
    assert (await Case.get(case_no=case_no.group(0))).description == "路灯坏了，晚上很黑"
    done = await chat.say("确认删除我的数据")
    assert "0 条已办结" in done and "1 条进行中" in done  # open: erased when it ends
    assert (await Resident.get(external_id=chat.openid)).erase_requested_at is not None
    assert "Deleting removes" in await chat.say("delete my data")
