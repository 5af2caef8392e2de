"""Every worker action POST may carry an ``idem`` key: applied once, a replay answers the same.

A middleware (after the sign-in), so every action of the worker's pages — today's and those added later
— gets it without its handler knowing. The answer kept is the action's outcome: where it redirected and
the flash message it left (applied, or refused because the case moved on). Answers that decided nothing
(bad input, an error page) give the key back, so the worker may correct and resend.

The offline queue (static/offline.js) sends its stored forms with ``Accept: application/json`` and gets
the outcome as JSON instead of a redirect: ``kind`` ok / error, the words, and the page to look at.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.jsonout import json_response
from bot.keys import KV
from bot.storage.idempotency import IdempotencyKeys, valid_key
from bot.web.render import error_page, see_other, translate
from bot.worker.auth import ME, sessions

TTL = timedelta(days=3)  # longer than a worker stays out of signal; a key re-sent later applies anew
FIELD = "idem"
JSON = "application/json"
WORDS = {404: "There is no such case among your tasks.", 401: "Your session has ended. Please sign in again.",
         403: "This form has expired. Please reload the page."}


def keys(request: web.Request) -> IdempotencyKeys:
    return IdempotencyKeys(request.config_dict[KV], TTL, "worker")


@web.middleware
async def idempotent(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method != "POST" or ME not in request:
        return await handler(request)
    key = str((await request.post()).get(FIELD, ""))
    if not key:
        return await _as_asked(request, await _decided(request, handler))
    if not valid_key(key):
        return _refuse(request, 400, "This form has expired. Please reload the page.")
    me, target = request[ME], f"POST {request.path}"
    begun = await keys(request).begin(me.actor.user_id or 0, key, target)
    if begun.misused:
        return _refuse(request, 422, "This form has expired. Please reload the page.")
    if begun.busy:
        return _refuse(request, 409, "This step is still being sent. Please wait a moment.")
    if begun.answer is not None:
        return await _replay(request, begun.answer)
    try:
        answer = await _decided(request, handler)
    except BaseException:
        await keys(request).release(me.actor.user_id or 0, key)
        raise
    if answer["status"] == 303:
        kept = {k: v for k, v in answer.items() if k != "response"}
        await keys(request).finish(me.actor.user_id or 0, key, target, kept)
    else:
        await keys(request).release(me.actor.user_id or 0, key)
    return await _as_asked(request, answer)


async def _decided(request: web.Request, handler: Handler) -> dict[str, Any]:
    """Run the action; what it answered, with the flash it left for the next page (still left there)."""
    response = await handler(request)
    answer: dict[str, Any] = {"status": response.status, "location": response.headers.get("Location", ""),
                              "response": response}
    if response.status == 303:
        answer["flash"] = await sessions(request).peek_flash(request[ME].session.sid)
    return answer


async def _as_asked(request: web.Request, answer: dict[str, Any]) -> web.StreamResponse:
    response = answer.pop("response", None)
    if JSON not in request.headers.get("Accept", ""):
        return response if isinstance(response, web.StreamResponse) else see_other(answer["location"])
    if answer["status"] != 303:
        words = WORDS.get(answer["status"], "Please check what you entered.")
        return json_response({"kind": "error", "text": translate(request, words), "location": ""},
                             status=answer["status"])
    await sessions(request).pop_flash(request[ME].session.sid)  # the queue shows it; no page shows it twice
    flash = answer.get("flash") or {}
    return json_response({"kind": flash.get("kind", "ok"), "text": flash.get("text", ""),
                          "location": answer["location"]})


async def _replay(request: web.Request, answer: dict[str, Any]) -> web.StreamResponse:
    if answer.get("flash") and JSON not in request.headers.get("Accept", ""):
        flash = answer["flash"]
        await sessions(request).flash(request[ME].session.sid, flash["text"], flash["kind"])
    return await _as_asked(request, dict(answer))


def _refuse(request: web.Request, status: int, msgid: str) -> web.StreamResponse:
    if JSON in request.headers.get("Accept", ""):
        return json_response({"kind": "error", "text": translate(request, msgid), "location": ""}, status=status)
    return error_page(request, status, translate(request, msgid))
