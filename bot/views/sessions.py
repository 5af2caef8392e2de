"""Admin API for page sessions (worker phones, console browsers): list the live ones, revoke one.

``GET /admin/v1/sessions?namespace=worker|console&user_id=…`` (admin only; last seen first, ≤ 500);
``POST /admin/v1/sessions/{session_id}/revoke``: that phone or browser is signed out at its next request.
"""

from __future__ import annotations

from aiohttp import web

from bot.auth import actor
from bot.jsonout import json_response
from bot.keys import CASES, KV
from bot.web.session import forget
from intake.cases.states import Role
from intake.errors import Invalid, NotFound
from intake.org import sessions as listed

routes = web.RouteTableDef()
NAMESPACES = ("worker", "console")


@routes.get("/sessions")
async def live_sessions(request: web.Request) -> web.Response:
    actor(request, Role.ADMIN)
    q = request.query  # unknown parameters are refused by bot.queries
    namespace = q.get("namespace") or None
    if namespace is not None and namespace not in NAMESPACES:
        raise Invalid(f"namespace must be one of {', '.join(NAMESPACES)}")
    raw = q.get("user_id", "")
    if raw and (not raw.isdigit() or len(raw) > 9):
        raise Invalid("user_id must be a positive whole number")
    rows = await listed.live(request.config_dict[CASES].clock(), namespace, int(raw) if raw else None)
    return json_response({"items": [{
        "id": r.id, "namespace": r.namespace, "user_id": r.user_id, "user": r.user_name, "role": r.role,
        "created_at": r.created_at.isoformat(), "last_seen_at": r.last_seen_at.isoformat(), "device": r.device}
        for r in rows]})


@routes.post("/sessions/{session_id}/revoke")
async def revoke(request: web.Request) -> web.Response:
    who = actor(request, Role.ADMIN)
    raw = request.match_info["session_id"]
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(f"no live session {raw[:20]}")
    namespace, digest = await listed.revoke(int(raw), who.user_id, request.config_dict[CASES].clock())
    await forget(request.config_dict[KV], namespace, digest)
    return json_response({"id": int(raw), "revoked": True})
