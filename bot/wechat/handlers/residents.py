"""A resident's own report in chat: 催办 (urge), 补充 (add details or a location), 撤件 (withdraw) and
我的网格员 (the grid worker's card). Each step is the domain's (intake.cases.resident_steps, workflow);
this module picks the report (a case number after the word, else the latest open one) and words the reply.
"""

from __future__ import annotations

from bot.wechat.draft import Draft
from bot.wechat.router import Router, Turn, command
from bot.wechat.words import COMMANDS, command_argument
from intake.cases import contact
from intake.cases.model import ActionRequest, Actor
from intake.cases.numbers import parse_case_no
from intake.cases.resident_steps import own_case
from intake.cases.workflow import act
from intake.errors import IllegalTransition, Invalid, NotFound, TooSoon
from intake.grid.geodesy import to_wgs84
from intake.grid.model import Datum
from intake.store.models import Case

router = Router()


def _split(turn: Turn, name: str) -> tuple[str | None, str]:
    """(a case number, the rest) of the command's argument, the rest as the resident typed it."""
    typed = turn.text
    for word in sorted(COMMANDS[name], key=len, reverse=True):
        if typed.lower().startswith(word):
            typed = typed[len(word):].strip()
            break
    else:
        typed = command_argument(turn.text)
    first, _, rest = typed.partition(" ")
    case_no = parse_case_no(first) if first else None
    return (case_no, rest.strip()) if case_no else (None, typed)


async def _case(turn: Turn, case_no: str | None) -> Case | None:
    try:
        return await own_case(turn.resident.channel, turn.resident.external_id, case_no)
    except NotFound:
        return None


def _me(turn: Turn) -> Actor:
    return Actor.resident(turn.resident.channel, turn.resident.external_id)


@router.on(command("urge"))
async def urge(turn: Turn) -> str:
    case_no, _ = _split(turn, "urge")
    case = await _case(turn, case_no)
    if case is None:
        return turn.t.case_not_found() if case_no else turn.t.no_open_case()
    try:
        await act(turn.ctx, case.case_no, _me(turn), ActionRequest("resident_urge"))
    except TooSoon:
        return turn.t.urge_too_soon(case.case_no, f"{turn.ctx.tasks.resident_urge_hours:g}")
    except IllegalTransition:
        return turn.t.not_open(case.case_no)
    return turn.t.urged(case.case_no)


@router.on(command("supplement"))
async def supplement(turn: Turn) -> str:
    case_no, text = _split(turn, "supplement")
    case = await _case(turn, case_no)
    if case is None:
        return turn.t.case_not_found() if case_no else turn.t.no_open_case()
    if not text:  # the next text or location is the supplement
        turn.draft = Draft(state="supplementing", target=case.case_no, lang=turn.draft.lang)
        return turn.t.ask_supplement(case.case_no)
    return await _add(turn, case.case_no, {"text": text})


@router.on(lambda t: t.draft.state == "supplementing" and t.msg.kind in ("text", "location"))
async def supplement_follow_up(turn: Turn) -> str:
    case_no, turn.draft = turn.draft.target or "", Draft()
    if turn.msg.kind == "location" and turn.msg.lat is not None and turn.msg.lng is not None:
        lng, lat = to_wgs84(turn.msg.lng, turn.msg.lat, Datum.GCJ02)  # WeChat's locations are GCJ-02
        params: dict[str, object] = {"lat": lat, "lng": lng}
        if turn.msg.label:
            params["text"] = turn.msg.label[:200]
        return await _add(turn, case_no, params)
    return await _add(turn, case_no, {"text": turn.text})


async def _add(turn: Turn, case_no: str, params: dict[str, object]) -> str:
    try:
        await act(turn.ctx, case_no, _me(turn), ActionRequest("supplement", params=params))
    except IllegalTransition:
        return turn.t.not_open(case_no)
    except Invalid:
        return turn.t.ask_supplement(case_no)
    except NotFound:
        return turn.t.case_not_found()
    return turn.t.supplemented(case_no)


@router.on(command("withdraw"))
async def withdraw(turn: Turn) -> str:
    case_no, _ = _split(turn, "withdraw")
    case = await _case(turn, case_no)
    if case is None:
        return turn.t.case_not_found() if case_no else turn.t.no_open_case()
    try:
        await act(turn.ctx, case.case_no, _me(turn), ActionRequest("withdraw"))
    except IllegalTransition:
        return turn.t.cannot_withdraw(case.case_no)
    return turn.t.withdrawn(case.case_no)


@router.on(command("my_worker"))
async def my_worker(turn: Turn) -> str:
    card = await contact.card_for(turn.ctx, turn.resident.channel, turn.resident.external_id)
    if card is None:
        return turn.t.no_worker()
    way = turn.t.wecom_contact(card.wecom) if card.wecom else \
        turn.t.mobile_contact(card.mobile) if card.mobile else turn.t.no_contact()
    return turn.t.worker_card(card.name, way, card.office_hours)
