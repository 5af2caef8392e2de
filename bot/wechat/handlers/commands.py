"""Text commands: 查询, 进度 CASE_NO, 取消, English / 中文, 设置 …, ALERTS / 预警, 帮助."""

from __future__ import annotations

from bot.wechat import alert_places
from bot.wechat.draft import Draft
from bot.wechat.handlers.common import case_line
from bot.wechat.router import Router, Turn, command
from bot.wechat.texts import Texts
from bot.wechat.words import command_argument, command_name
from intake import residents
from intake.cases import visibility
from intake.cases.numbers import parse_case_no
from intake.errors import NotFound

router = Router()


@router.on(command("cancel"))
async def cancel(turn: Turn) -> str:
    had = turn.draft.state != "idle" or bool(turn.draft.texts)
    turn.draft = Draft()
    return turn.t.cancelled() if had else turn.t.nothing_to_cancel()


@router.on(command("my_cases"))
async def my_cases(turn: Turn) -> str:
    cases = await visibility.recent(turn.resident.channel, turn.resident.external_id)
    if not cases:
        return turn.t.no_cases()
    return turn.t.my_cases([case_line(turn, c) for c in cases])


@router.on(command("progress"))
async def progress(turn: Turn) -> str:
    case_no = parse_case_no(command_argument(turn.text))
    try:
        case, _ = await visibility.visible(case_no, turn.resident.channel, turn.resident.external_id)
    except NotFound:
        return turn.t.case_not_found()
    return turn.t.my_cases([case_line(turn, case)])


@router.on(command("lang_en", "lang_zh_CN", "lang_zh_HK"))
async def language(turn: Turn) -> str:
    lang = command_name(turn.text).removeprefix("lang_")
    await residents.set_lang(turn.resident, lang)
    turn.t = Texts(lang)
    return turn.t.language_set()


@router.on(command("auto_submit_on", "auto_submit_off"))
async def auto_submit(turn: Turn) -> str:
    on = command_name(turn.text) == "auto_submit_on"
    await residents.set_auto_submit(turn.resident, on)
    return turn.t.auto_submit(on)


@router.on(command("location_on", "location_off"))
async def location_sharing(turn: Turn) -> str:
    on = command_name(turn.text) == "location_on"
    await residents.allow_location(turn.resident, on)
    return turn.t.location_sharing(on)


@router.on(command("alerts_off", "alerts_on"))
async def alert_opt_out(turn: Turn) -> str:
    muted = command_name(turn.text) == "alerts_off"
    await residents.mute_alerts(turn.resident, muted)
    return turn.t.alerts_muted(muted)


@router.on(command("alerts"))
async def alerts(turn: Turn) -> str:
    return await alert_places.reply(turn)


@router.on(command("help"))
async def help_text(turn: Turn) -> str:
    return turn.t.help()


@router.on(lambda t: t.draft.state != "offering" and command("new", "second")(t))
async def new_or_second_elsewhere(turn: Turn) -> str:
    # 新建 / new with no duplicate question pending starts a report; 附议 alone has nothing to join.
    if command_name(turn.text) == "second":
        return turn.t.unclear()
    turn.draft.state = "collecting"
    return turn.t.start_report()
