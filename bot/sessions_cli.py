"""``gridline sessions list|revoke``: the live page sessions (worker phones, console browsers) from a terminal.

``list`` prints one JSON object a line (user, created, last seen, device); ``revoke ID`` signs that phone
or browser out at its next request. Revoking reaches the sessions through Redis: without
GRIDLINE_REDIS_URL they live in the server's memory, and only the admin API (or a restart) ends them.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.settings import Settings
from bot.storage.redis import RedisStore
from bot.web.session import forget
from intake.cases.context import utc_now
from intake.errors import NotFound
from intake.org import sessions as listed
from intake.store import db


def register(sub: Any) -> None:
    cmd = sub.add_parser("sessions", help="live page sessions (worker phones, console browsers)").add_subparsers(
        dest="sessions_command", required=True)
    listing = cmd.add_parser("list", help="list live sessions (one JSON object a line, last seen first)")
    listing.add_argument("--namespace", choices=["worker", "console"]), listing.add_argument("--user", type=int)
    cmd.add_parser("revoke", help="sign one session out at its next request").add_argument("id", type=int)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.sessions_command == "revoke" and settings.redis_url is None:
        print("gridline: sessions are in the server's memory (no GRIDLINE_REDIS_URL): "
              "revoke through POST /admin/v1/sessions/{id}/revoke")
        return 2
    await db.open_db(settings.database_url)
    try:
        if args.sessions_command == "list":
            for r in await listed.live(utc_now(), args.namespace, args.user):
                print(json.dumps({"id": r.id, "namespace": r.namespace, "user_id": r.user_id, "user": r.user_name,
                                  "role": r.role, "created_at": r.created_at.isoformat(),
                                  "last_seen_at": r.last_seen_at.isoformat(), "device": r.device},
                                 ensure_ascii=False))
            return 0
        return await _revoke(settings, args.id)
    finally:
        await db.close_db()


async def _revoke(settings: Settings, session_id: int) -> int:
    assert settings.redis_url is not None
    try:
        namespace, digest = await listed.revoke(session_id, None, utc_now())
    except NotFound as exc:
        print(f"gridline: {exc.message}")
        return 2
    store = RedisStore(settings.redis_url)
    try:
        await forget(store, namespace, digest)
    finally:
        await store.close()
    print(f"session {session_id} ({namespace}) ends at its next request")
    return 0
