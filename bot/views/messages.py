"""Admin API for outbound messages: per case, per resident, the outbox by status, re-queue, grid groups.

Every message is shown with its attempts and reach decisions, oldest first.
Admins see everything; a dispatcher may read the messages of a case in their area.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES
from bot.schemas import json_object
from bot.views.common import page
from intake.cases import repo, scope
from intake.cases.numbers import parse_case_no
from intake.cases.states import Role
from intake.errors import IllegalTransition, Invalid, NotFound
from intake.org import grid_groups
from intake.store.models import Resident
from intake.store.models_outbox import GridGroup, OutboxAttempt, OutboxMessage
from notify.store import STORED
from notify.types import ChannelName
from outbox.store import requeue

routes = web.RouteTableDef()
MAX_CASE_MESSAGES = 500


@routes.get("/cases/{case_no}/messages")
async def case_messages(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN, Role.DISPATCHER)
    case_no = parse_case_no(request.match_info["case_no"])
    if case_no is None:
        raise NotFound("no such case number (check the digits)")
    case = await repo.get(case_no)
    scope.check_read(who, case)
    rows = await OutboxMessage.filter(case_no=case_no).order_by("id").limit(MAX_CASE_MESSAGES)
    hide = case.anonymous and who.role is not Role.ADMIN  # an anonymous reporter stays anonymous to staff
    return json_response({"case_no": case_no, "items": await _items(rows, hide_residents=hide)})


@routes.get("/residents/{resident_id}/messages")
async def resident_messages(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    rid = _int_id(request.match_info["resident_id"], "resident id")
    resident = await Resident.get_or_none(id=rid)
    if resident is None:
        raise NotFound(f"no resident {rid}")
    number, size = page(request)
    query = OutboxMessage.filter(recipient_kind="resident", recipient_ref=resident.external_id,
                                 recipient_channel=resident.channel)
    total = await query.count()
    rows = await query.order_by("-id").offset((number - 1) * size).limit(size)
    return json_response({"resident": {"id": resident.id, "channel": resident.channel, "lang": resident.lang},
                              "total": total, "page": number, "per_page": size, "items": await _items(rows)})


@routes.get("/outbox")
async def outbox(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    number, size = page(request)
    wanted = request.query.get("status", "")
    statuses = [s for s in wanted.split(",") if s] if wanted else []
    if len(wanted) > 100 or any(s not in STORED for s in statuses):
        raise Invalid(f"status must be one or more of {', '.join(STORED)}")
    query = OutboxMessage.filter(status__in=statuses) if statuses else OutboxMessage.all()
    total = await query.count()
    rows = await query.order_by("-id").offset((number - 1) * size).limit(size)
    return json_response({"total": total, "page": number, "per_page": size, "items": await _items(rows)})


@routes.post("/outbox/{message_id}/requeue")
async def requeue_dead(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    mid = _int_id(request.match_info["message_id"], "message id", bits=63)
    row = await OutboxMessage.get_or_none(id=mid)
    if row is None:
        raise NotFound(f"no message {mid}")
    if not await requeue(mid, who.ref, request.config_dict[CASES].clock()):
        raise IllegalTransition(f"message {mid} is {row.status}; only dead letters are re-queued")
    fresh = await OutboxMessage.get(id=mid)
    return json_response((await _items([fresh]))[0])


@routes.get("/grid-groups")
async def list_groups(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    rows = await grid_groups.listing()
    return json_response({"items": [_group(g) for g in rows]})


@routes.put("/grid-groups/{grid_code}")
async def set_group(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    key = (await json_object(request)).get("webhook_key")
    row, created = await grid_groups.set_key(request.match_info["grid_code"], key, who.ref,  # type: ignore[arg-type]
                                             request.config_dict[CASES].clock())
    return json_response(_group(row), status=201 if created else 200)


@routes.delete("/grid-groups/{grid_code}")
async def delete_group(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    await grid_groups.remove(request.match_info["grid_code"])
    return web.Response(status=204)


def _int_id(raw: str, what: str, bits: int = 31) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) < 2**bits):
        raise NotFound(f"no {what} {raw[:40]!r}")
    return int(raw)


def _group(row: GridGroup) -> dict[str, Any]:
    # The key lets anyone post into the group: shown masked, like a secret.
    return {"grid_code": row.grid_code, "webhook_key": grid_groups.masked(row.webhook_key),
            "updated_at": row.updated_at.isoformat(), "updated_by": row.updated_by}


async def _items(rows: list[OutboxMessage], hide_residents: bool = False) -> list[dict[str, Any]]:
    attempts: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
    if rows:
        for a in await OutboxAttempt.filter(message_id__in=list(attempts)).order_by("id"):
            attempts[a.message_id].append({"what": a.what, "channel": a.channel, "outcome": a.outcome,
                                           "code": a.code, "detail": a.detail, "at": a.at.isoformat()})
    return [_message(r, attempts[r.id], hide_residents) for r in rows]


def _message(r: OutboxMessage, attempts: list[dict[str, Any]], hide: bool) -> dict[str, Any]:
    resident = r.recipient_kind == "resident"
    ref = "***" if hide and resident else r.recipient_ref
    address = "***" if (hide and resident) or r.channel == ChannelName.WECOM_ROBOT else r.address
    return {"id": r.id, "key": r.key, "kind": r.kind, "case_no": r.case_no, "group": r.group,
            "recipient": {"kind": r.recipient_kind, "ref": ref, "channel": r.recipient_channel},
            "channel": r.channel, "address": address, "status": r.status, "attempts": r.attempts,
            "last_error": r.last_error, "last_code": r.last_code, "next_attempt_at": r.next_attempt_at.isoformat(),
            "created_at": r.created_at.isoformat(), "updated_at": r.updated_at.isoformat(), "history": attempts}
