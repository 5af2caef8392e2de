"""Assembling one report from fragments, confirming it, and submitting it through intake.

Fragments arrive in any order over several messages — text, voice (WeChat's
``Recognition``), photos, a location or a typed address — and we only ask for
what is still missing: a place, or what happened.
"""

from __future__ import annotations

from bot.wechat import when
from bot.wechat.draft import Draft
from bot.wechat.handlers import unclear
from bot.wechat.router import Router, Turn, command, state, text_in
from intake import residents
from intake.cases.intake import Opened, open_case, opened_from, preview
from intake.cases.model import ActionRequest, Actor, NewReport
from intake.cases.seal import short
from intake.cases.states import Status
from intake.cases.workflow import act
from intake.grid.model import Datum
from intake.intent import Intent

router = Router()
CHANNEL = "wechat"


def _is_location(turn: Turn) -> bool:
    return turn.msg.kind == "location" or (turn.msg.kind == "event" and turn.msg.event == "location_select")


@router.on(lambda t: t.draft.state == "awaiting_home" and _is_location(t))
async def bind_home(turn: Turn) -> str:
    turn.draft.state = "idle"
    assert turn.msg.lat is not None and turn.msg.lng is not None
    placement = turn.ctx.grid.locate(turn.msg.lng, turn.msg.lat, Datum.GCJ02)
    if placement is None:
        return turn.t.outside_grid()
    await residents.bind_home(turn.resident, placement.code)
    return turn.t.home_bound(turn.ctx.grid.index.cell(placement.code).name)


@router.on(lambda t: state("confirming")(t) and text_in("1")(t))
async def confirm(turn: Turn) -> str:
    return await _submit(turn, check_duplicates=True)


@router.on(lambda t: state("confirming")(t) and text_in("2")(t))
async def change_category(turn: Turn) -> str:
    view = await preview(turn.ctx, _report(turn))
    catalog = turn.ctx.taxonomy.catalog
    codes = list(view.top[:5]) or [c.code for c in catalog.leaves()[:5]]
    turn.draft.state, turn.draft.choices = "choosing", codes
    return turn.t.choose_category([catalog.get(c).name(turn.t.lang) for c in codes])


@router.on(lambda t: state("confirming")(t) and text_in("3")(t))
async def add_details(turn: Turn) -> str:
    turn.draft.state = "collecting"
    return turn.t.add_details()


@router.on(lambda t: state("choosing")(t) and t.text.isdigit())
async def choose(turn: Turn) -> str:
    index = int(turn.text) - 1
    if 0 <= index < len(turn.draft.choices):
        turn.draft.category = turn.draft.choices[index]
    return await _next_step(turn)


@router.on(lambda t: state("offering")(t) and command("second")(t))
async def second(turn: Turn) -> str:
    case_no = turn.draft.offered[0]
    who = Actor.resident(CHANNEL, turn.resident.external_id)
    await act(turn.ctx, case_no, who, ActionRequest("second", params={
        "channel": CHANNEL, "reporter": turn.resident.external_id}))
    turn.draft = Draft()
    return turn.t.seconded(case_no)


@router.on(lambda t: state("offering")(t) and command("new")(t))
async def submit_new(turn: Turn) -> str:
    return await _submit(turn, check_duplicates=False)


@router.on(lambda t: t.draft.state in ("offering", "choosing") and t.msg.kind in ("text", "voice"))
async def pending_question(turn: Turn) -> str:
    # Anything but an answer keeps the question open: the resident is told, and asked again.
    return turn.t.not_understood() + "\n" + unclear.pending(turn)


@router.on(lambda t: t.msg.kind in ("text", "voice"))
async def text_fragment(turn: Turn) -> str:
    words = turn.text if turn.msg.kind == "text" else (turn.msg.recognition or "").strip()
    if not words:
        return turn.t.ask_type()
    draft = turn.draft
    if draft.texts and not draft.has_place and turn.ctx.grid.match_address(words):
        draft.address = words  # we asked where; this names a place we know
        return await _next_step(turn)
    kind = unclear.intent_of(turn, words)
    if kind is not Intent.COMPLAINT:
        return unclear.not_a_complaint(turn, kind)
    draft.add_text(words)
    return await _next_step(turn)


@router.on(lambda t: t.msg.kind == "image")
async def photo(turn: Turn) -> str:
    ref = f"wechat-media:{turn.msg.media_id}" if turn.msg.media_id else (turn.msg.pic_url or "")
    count = turn.draft.add_photo(ref) if ref else len(turn.draft.photos)
    turn.draft.state = "collecting" if turn.draft.state == "idle" else turn.draft.state
    missing = turn.t.ask_what() if not turn.draft.texts else turn.t.ask_place() if not turn.draft.has_place else ""
    return turn.t.photo_received(count) + (missing or "\n" + await _next_step(turn))


@router.on(_is_location)
async def location(turn: Turn) -> str:
    turn.draft.lat, turn.draft.lng, turn.draft.label = turn.msg.lat, turn.msg.lng, turn.msg.label
    return await _next_step(turn)


@router.on(lambda t: True)
async def fallback(turn: Turn) -> str:
    return turn.t.not_understood()


async def _next_step(turn: Turn) -> str:
    """Ask for what is missing, or show the summary (or submit, for residents who chose 自动提交)."""
    draft = turn.draft
    draft.state = "collecting"
    if not draft.texts:
        return turn.t.ask_what()
    if not draft.has_place and not turn.ctx.grid.match_address(draft.description):
        return turn.t.ask_place()
    if turn.resident.auto_submit:
        return await _submit(turn, check_duplicates=True)
    view = await preview(turn.ctx, _report(turn))
    draft.state = "confirming"
    category = view.category.name(turn.t.lang) if view.category else turn.t.unknown_category()
    grid = view.grid.name if view.grid else turn.t.unknown_grid()
    place = draft.label or draft.address or grid
    return turn.t.summary(category, place, grid, len(draft.photos))


async def _submit(turn: Turn, *, check_duplicates: bool) -> str:
    report = _report(turn)
    opened = await opened_from(report.source) if report.source else None
    if opened is not None:  # this message's turn opened its case, then its process died before the reply
        return _submitted(turn, opened)
    if check_duplicates:
        view = await preview(turn.ctx, report)
        if view.duplicates:
            first = view.duplicates[0]
            turn.draft.state, turn.draft.offered = "offering", [d.case_no for d in view.duplicates[:3]]
            category = view.category.name(turn.t.lang) if view.category else turn.t.unknown_category()
            place = view.grid.name if view.grid else turn.draft.label or turn.draft.address or ""
            return turn.t.duplicate(category, place, when.ago(turn.t.lang, first.opened_at or turn.now, turn.now))
    return _submitted(turn, await open_case(turn.ctx, report))


def _submitted(turn: Turn, opened: Opened) -> str:
    turn.draft = Draft(state="submitted")
    due = when.deadline(turn.t.lang, opened.case.deadline_at, turn.t._)
    return turn.t.submitted(opened.case.case_no, due, short(opened.opening_hash),
                            dispatched=opened.case.status == Status.DISPATCHED)


def _report(turn: Turn) -> NewReport:
    d = turn.draft
    return NewReport(channel=CHANNEL, reporter=turn.resident.external_id, description=d.description,
                     lng=d.lng, lat=d.lat, datum=Datum.GCJ02, address=d.address or d.label,
                     category=d.category, photos=tuple(d.photos), source=getattr(turn.msg, "dedup_key", None))
