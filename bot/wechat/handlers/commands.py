"""Text commands: 查询, 进度 CASE_NO, 取消, English / 中文, 设置 …, ALERTS / 预警, 帮助."""

from __future__ import annotations

from bot.wechat import alert_places
from bot.wechat.draft import Draft
from bot.wechat.handlers.common import case_line
from bot.wechat.router import Router, Turn, text_in, text_prefix
from bot.wechat.texts import Texts
from intake import residents
from intake.cases import visibility
from intake.cases.numbers import parse_case_no
from intake.errors import NotFound

router = Router()


@router.on(text_in("取消", "cancel"))
async def cancel(turn: Turn) -> str:
    had = turn.draft.state != "idle" or bool(turn.draft.texts)
    turn.draft = Draft()
    return turn.t.cancelled() if had else turn.t.nothing_to_cancel()


@router.on(text_in("查询", "我的诉求", "my cases"))
async def my_cases(turn: Turn) -> str:
    cases = await visibility.recent(turn.resident.channel, turn.resident.external_id)
    if not cases:
        return turn.t.no_cases()
    return turn.t.my_cases([case_line(turn, c) for c in cases])


@router.on(text_prefix("进度"))
async def progress(turn: Turn) -> str:
    case_no = parse_case_no(turn.text[len("进度"):].strip())
    try:
        case, _ = await visibility.visible(case_no, turn.resident.channel, turn.resident.external_id)
    except NotFound:
        return turn.t.case_not_found()
    return turn.t.my_cases([case_line(turn, case)])


@router.on(text_in("english", "中文", "简体", "繁體", "繁体"))
async def language(turn: Turn) -> str:
    lang = {"english": "en", "繁體": "zh_HK", "繁体": "zh_HK"}.get(turn.text.lower(), "zh_CN")
    await residents.set_lang(turn.resident, lang)
    turn.t = Texts(lang)
    return turn.t.language_set()


@router.on(text_in("设置 自动提交", "设置自动提交", "设置 确认提交", "设置确认提交"))
async def auto_submit(turn: Turn) -> str:
    on = "自动" in turn.text
    await residents.set_auto_submit(turn.resident, on)
    return turn.t.auto_submit(on)


@router.on(text_in("设置 共享位置", "设置共享位置", "设置 关闭位置", "设置关闭位置"))
async def location_sharing(turn: Turn) -> str:
    on = "共享" in turn.text
    await residents.allow_location(turn.resident, on)
    return turn.t.location_sharing(on)


@router.on(text_in("alerts", "预警", "預警"))
async def alerts(turn: Turn) -> str:
    return await alert_places.reply(turn)


@router.on(text_in("帮助", "help", "?", "？"))
async def help_text(turn: Turn) -> str:
    return turn.t.help()

