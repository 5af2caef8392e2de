"""The inbound recovery loop: turns whose process died after storing the message are finished (#18).

A message is stored before anything answers it; its claim (``wx:msg:<key>``) says "running" under its
process's lease until the turn's reply replaces it. When the process is killed in between and no WeChat
retry comes (the callback had already answered ``success`` because the reply budget had passed, or all
three retries came before the lease lapsed), nothing would ever finish that turn: the resident's "1" stored,
no case, no answer. This job walks the stored messages in id order, each once, at least one run after it
arrived: a claim still "running" under a dead lease is taken over (as a retry would) and the turn runs
here, its answer pushed as a customer-service message. A case the dead turn had opened is found by the
message (:func:`intake.cases.intake.opened_from`), never opened twice.

The place it has walked to is kept in the store; when that is gone (Redis came back empty) the walk starts
again from the newest message — a claim lost with Redis cannot be judged either way.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.keys import KV, WECHAT_REDELIVERY
from bot.wechat.errors import CallbackError
from bot.wechat.messages import message_from_fields
from bot.wechat.redelivery import RUNNING
from bot.wechat.service import CHANNEL
from bot.wechat.view import finish
from intake.store.models import InboundMessage

log = logging.getLogger("gridline.wechat")
LOCK = "lock:wechat-recovery"
EVERY = 5.0  # seconds: a lease lapses 3 s after its process died; WeChat's retries span ~15 s
PLACE = "wx:recovery:place"  # "<checked up to id>:<newest id at the previous run>"
BATCH = 500


async def recover(app: web.Application) -> int:
    """One walk; the number of turns finished here."""
    kv = app[KV]
    place, newest = _read(await kv.get(PLACE)), await _newest()
    if place is None or place[1] > newest:  # never walked, or a place in another database (restored, replaced)
        await kv.set(PLACE, _place(newest, newest))
        return 0
    done, upto = place
    finished = 0
    rows = await InboundMessage.filter(channel=CHANNEL, id__gt=done, id__lte=upto).order_by("id").limit(BATCH)
    for row in rows:
        outcome = await _check(app, row)
        if outcome is None:  # its live owner is still at it: look again next time
            break
        finished += outcome
        done = row.id
    else:
        done = max(done, upto) if len(rows) < BATCH else done
    await kv.set(PLACE, _place(done, newest if done >= upto else upto))
    return finished


def _read(place: str | None) -> tuple[int, int] | None:
    """The walk's place, ``done/upto`` (message ids); None when never walked or unreadable."""
    try:
        done, upto = (int(p) for p in (place or "").split("/"))
    except ValueError:
        return None
    return done, upto


def _place(done: int, upto: int) -> str:
    return f"{done}/{upto}"


async def _newest() -> int:
    row = await InboundMessage.filter(channel=CHANNEL).order_by("-id").first()
    return row.id if row else 0


async def _check(app: web.Application, row: InboundMessage) -> int | None:
    """1 when this walk finished the turn, 0 when there was nothing to do, None when it must wait."""
    redelivery, key = app[WECHAT_REDELIVERY], row.dedup_key
    claim = await app[KV].get(f"wx:msg:{key}")
    if claim is None or not claim.startswith(RUNNING):
        return 0  # answered (or its claim is gone: nothing to judge by)
    if not await redelivery.take_over(key, claim):
        return None if await redelivery.alive(claim) else 0
    try:
        msg = message_from_fields(row.payload)
    except CallbackError:  # cannot happen for a message the callback parsed; never blocks the walk
        await redelivery.remember(key, "", row.external_id)
        return 0
    log.warning("finishing a turn its process left half-done", extra={"dedup_key": key[:80]})
    await finish(app, msg)
    return 1
