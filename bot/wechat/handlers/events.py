"""Events: subscribe (with a grid poster's ``qrscene_`` code), unsubscribe, LOCATION, menu clicks."""

from __future__ import annotations

from bot.wechat.handlers import commands
from bot.wechat.router import Router, Turn, event
from intake import residents

router = Router()
QR_PREFIX = "qrscene_"


@router.on(event("subscribe"))
async def subscribe(turn: Turn) -> str:
    await residents.set_subscribed(turn.resident, True)
    # A grid poster's QR code carries the grid code as its scene (``qrscene_`` is stripped by the parser).
    code = (turn.msg.event_key or "").removeprefix(QR_PREFIX)
    if code and code in turn.ctx.grid.index:
        await residents.bind_home(turn.resident, code)
    return turn.t.welcome()


@router.on(event("unsubscribe"))
async def unsubscribe(turn: Turn) -> None:
    # No reply can reach someone who left; every push to them stops here.
    await residents.set_subscribed(turn.resident, False)


@router.on(event("location"))
async def location_event(turn: Turn) -> None:
    if turn.msg.lat is not None and turn.msg.lng is not None:
        await residents.record_location(turn.resident, turn.msg.lat, turn.msg.lng, turn.now)


@router.on(event("click", "REPORT"))
async def click_report(turn: Turn) -> str:
    turn.draft.state = "collecting"
    return turn.t.start_report()


@router.on(event("click", "MY_CASES"))
async def click_my_cases(turn: Turn) -> str | None:
    return await commands.my_cases(turn)


@router.on(event("click", "ALERTS"))
async def click_alerts(turn: Turn) -> str:
    turn.draft.state = "awaiting_home"
    return turn.t.ask_home()


@router.on(event("click", "HELP"))
async def click_help(turn: Turn) -> str:
    return turn.t.help()


@router.on(lambda t: t.msg.kind == "event" and t.msg.event not in ("location_select",))
async def other_event(turn: Turn) -> None:
    return None  # VIEW clicks, template-send reports and the like need no answer
