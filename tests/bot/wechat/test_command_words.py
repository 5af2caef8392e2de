"""One command table, every language and script: each spelling runs its command and answers in the
script it was written in (both databases for the dialogue; the table itself is pure)."""

from __future__ import annotations

import pytest

from bot.storage.memory import MemoryStore
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.service import Dialogue
from bot.wechat.words import COMMANDS, command_of
from intake.store.models import Case, Resident
from tests.bot.test_dialogue import Chat
from tests.conftest import Services


@pytest.fixture
def chat(svc: Services, uid: str) -> Chat:
    return Chat(Dialogue(svc.ctx, DraftStore(MemoryStore()), build_router()), f"w{uid}", svc)


def test_every_word_maps_to_exactly_one_command() -> None:
    seen: dict[str, str] = {}
    for name, words in COMMANDS.items():
        for word in words:
            assert word not in seen, f"{word} is both {seen[word]} and {name}"
            seen[word] = name
            assert command_of(word) == (name, "") or name == "progress"


@pytest.mark.parametrize(("text", "found"), [
    ("  查詢！", ("my_cases", "")), ("Status", ("my_cases", "")), ("設置 自動提交", ("auto_submit_on", "")),
    ("进度 440307-20261118-00002-7", ("progress", "440307-20261118-00002-7")), ("？", ("help", "")),
    ("PROGRESS 1", ("progress", "1")), ("路灯坏了", None), ("newspaper stand blocks the road", None),
])
def test_command_of(text: str, found: tuple[str, str] | None) -> None:
    assert command_of(text) == found


@pytest.mark.parametrize(("word", "expected"), [
    ("查询", "还没有提交过"), ("查詢", "還沒有提交過"), ("我的訴求", "還沒有提交過"), ("status", "no reports yet"),
    ("my reports", "no reports yet"),
    ("帮助", "指令：查询"), ("幫助", "指令：查詢"), ("help", "Commands: status"),
    ("取消", "没有正在填写"), ("cancel", "no report in progress"),
    ("进度 123", "没有找到"), ("進度 123", "沒有找到"), ("progress 123", "No report of yours"),
    ("新建", "请描述"), ("new", "Please describe"), ("附議", "未能從這條訊息"), ("second", "did not understand"),
    ("退订", "已退订预警"), ("取消預警", "已退訂預警"), ("unsubscribe", "Alerts are off"),
    ("订阅预警", "已重新开启"), ("訂閱預警", "已重新開啟"), ("subscribe", "Alerts are on again"),
])
async def test_each_spelling_runs_its_command_in_its_script(chat: Chat, word: str, expected: str) -> None:
    assert expected in await chat.say(word)


async def test_a_chosen_language_wins_over_the_script(chat: Chat) -> None:
    await chat.say("english")
    assert (await Resident.get(external_id=chat.openid)).lang == "en"
    assert "no reports yet" in await chat.say("查詢")
    await chat.say("繁體")
    assert "還沒有提交過" in await chat.say("查询")


@pytest.mark.parametrize(("first", "second", "answer"), [
    ("小区门口垃圾桶满了没人清运", "楼下垃圾桶满了没人清运很臭", "新建"),
    ("小區門口垃圾桶滿了沒人清運", "樓下垃圾桶滿了沒人清運很臭", "新建"),
    ("小区门口垃圾桶满了没人清运", "english", "new"),  # a resident who chose English, reporting in Chinese
])
async def test_new_at_the_duplicate_prompt_files_the_report(svc: Services, uid: str, chat: Chat, first: str,
                                                           second: str, answer: str) -> None:
    neighbour = Chat(chat.d, f"n{uid}", svc)
    await neighbour.say(first)
    await neighbour.location()
    await neighbour.say("1")
    if second == "english":
        await chat.say(second)
        second = "楼下垃圾桶满了没人清运很臭"
    await chat.say(second)
    await chat.location(neighbour.last_n)
    await chat.say("1")
    assert (await chat.d.drafts.load(chat.openid)).state == "offering"
    await chat.say(answer)
    assert await Case.exists(reporter=chat.openid)


async def test_unsubscribing_by_text_mutes_alerts_and_subscribing_undoes_it(chat: Chat) -> None:
    await chat.say("取消预警")
    assert (await Resident.get(external_id=chat.openid)).alerts_muted
    await chat.say("订阅预警")
    assert not (await Resident.get(external_id=chat.openid)).alerts_muted
