"""Intent before report, in zh_CN, zh_HK and en: greetings, thanks and noise never become a report, and a
pending question survives a message that does not answer it (driven through the dialogue, both databases)."""

from __future__ import annotations

import pytest

from bot.storage.memory import MemoryStore
from bot.wechat.draft import DraftStore
from bot.wechat.handlers import build_router
from bot.wechat.service import Dialogue
from intake.store.models import Case
from tests.bot.test_dialogue import Chat
from tests.conftest import Services


@pytest.fixture
def chat(svc: Services, uid: str) -> Chat:
    return Chat(Dialogue(svc.ctx, DraftStore(MemoryStore()), build_router()), f"i{uid}", svc)


@pytest.mark.parametrize(("message", "expected"), [
    ("你好", "您好！我们会把"), ("在吗？", "您好！我们会把"), ("谢谢", "不客气"), ("有问题", "没能从这条消息"),
    ("台风", "没能从这条消息"), ("💡💔🌃😡", "没能从这条消息"), ("好", "没能从这条消息"),
    ("您好", "您好！我们会把"),
    ("在嗎", "您好！我們會把"), ("謝謝", "不客氣"), ("有問題", "未能從這條訊息"), ("颱風", "未能從這條訊息"),
    ("hello", "Hello! We pass"), ("Thank you!", "You are welcome"), ("problem", "did not understand that"),
])
async def test_not_a_complaint_gets_help_not_a_report(chat: Chat, message: str, expected: str) -> None:
    reply = await chat.say(message)
    assert expected in reply
    assert "发送位置" not in reply and "發送位置" not in reply and "Where is it" not in reply
    assert await chat.location() and not await Case.exists(reporter=chat.openid)  # a place alone files nothing


@pytest.mark.parametrize(("greeting", "ask"), [("你好", "发生了什么"), ("謝謝", "發生了甚麼"), ("hi", "What happened")])
async def test_photo_then_greeting_asks_for_words_first(chat: Chat, greeting: str, ask: str) -> None:
    await chat.photo("p1")
    reply = await chat.say(greeting)
    assert ask in reply


@pytest.mark.parametrize(("complaint", "noise", "again"), [
    ("路灯坏了，晚上很黑", "💡💡", "回复“1”确认提交"), ("路燈壞了，晚上很黑", "謝謝", "回覆「1」確認提交"),
    ("The streetlight is broken and it is dark", "ok", "Reply 1 to submit")])
async def test_noise_at_the_confirmation_asks_again_and_keeps_the_draft(chat: Chat, complaint: str, noise: str,
                                                                         again: str) -> None:
    await chat.say(complaint)
    await chat.location()
    assert again in await chat.say(noise)
    last = await chat.say("1")
    if (await chat.d.drafts.load(chat.openid)).state == "offering":
        last = await chat.say("新建")  # a report of another test nearby: file ours anyway
    assert await Case.exists(reporter=chat.openid), last


async def test_an_unrecognised_message_keeps_the_duplicate_question(svc: Services, uid: str, chat: Chat) -> None:
    first = Chat(chat.d, f"j{uid}", svc)
    await first.say("小区门口垃圾桶满了没人清运")
    await first.location()
    await first.say("1")
    await chat.say("小区门口垃圾桶满了没人清运，很臭")
    await chat.location(first.last_n)
    assert "已有“" in await chat.say("1")
    again = await chat.say("什么意思")
    assert "没有理解" in again and "回复“附议”加入已有诉求" in again
    assert "已附议" in await chat.say("附议")
