"""``gridline worker link``: print a signed link that opens a case on a worker's phone, signed in;
``gridline worker code``: print a one-time sign-in code (a first sign-in on a new phone, outside WeCom);
``gridline worker signout``: end every page session of a user (a lost phone), in the store and in the
admin's list of sessions (their rows are marked ended at once, not left to age out).

For a first sign-in on a new phone, or to send a worker their task outside the group chat: the link
is bound to the user and the case and expires (GRIDLINE_WORKER_LINK_TTL_HOURS). It needs
GRIDLINE_WORKER_LINK_SECRET: a link signed with a random key would not open on the server.
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlencode

from bot.settings import Settings
from bot.storage.redis import RedisStore
from bot.worker.session import Sessions
from intake import links, login_codes
from intake.cases import repo
from intake.cases.context import utc_now
from intake.cases.numbers import parse_case_no
from intake.errors import Invalid, NotFound
from intake.store import db
from intake.store.models import User


def register(sub: Any) -> None:
    worker = sub.add_parser("worker", help="grid workers' pages").add_subparsers(dest="worker_command", required=True)
    link = worker.add_parser("link", help="print a signed link that opens a case on a worker's phone, signed in")
    link.add_argument("--user", type=int, required=True, help="the worker's user id")
    link.add_argument("--case", required=True, help="the case number")
    link.add_argument("--action", choices=["accept", "handle"], default=None, help="the step to offer first")
    code = worker.add_parser("code", help="print a one-time sign-in code for a user's first sign-in on a new phone")
    code.add_argument("--user", type=int, required=True, help="the user id")
    out = worker.add_parser("signout", help="end every page session of a user (a lost phone); links still work")
    out.add_argument("--user", type=int, required=True, help="the user id")


async def signed_url(settings: Settings, user_id: int, case_no: str, action: str | None = None) -> str:
    """The link, for an active user and an existing case (the database is open)."""
    secret = settings.worker.link_secret
    if secret is None:
        raise Invalid("set GRIDLINE_WORKER_LINK_SECRET (the same as the server's) to sign links")
    number = parse_case_no(case_no)
    if number is None:
        raise NotFound(f"no case {case_no}")
    await repo.get(number)  # NotFound unless it exists
    if not await User.exists(id=user_id, active=True):
        raise NotFound(f"no active user {user_id}")
    key = secret.get_secret_value().encode()
    signed = links.issue(key, user_id, number, utc_now(), settings.worker.link_ttl).query(key)
    query = urlencode({**({"action": action} if action else {}), **signed})
    return f"{settings.public_url.rstrip('/')}/worker/cases/{number}?{query}"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.worker_command == "signout":
        return await _sign_out(settings, args.user)
    if args.worker_command == "code":
        return await _code(settings, args.user)
    if settings.worker.link_secret is None:
        print("gridline: set GRIDLINE_WORKER_LINK_SECRET (the same as the server's) to sign links")
        return 2
    await db.open_db(settings.database_url)
    try:
        print(await signed_url(settings, args.user, args.case, args.action))
    except (Invalid, NotFound) as exc:
        print(f"gridline: {exc.message}")
        return 2
    finally:
        await db.close_db()
    return 0


async def _sign_out(settings: Settings, user_id: int) -> int:
    if settings.redis_url is None:
        # Without Redis the sessions live in the server process: only a restart ends them.
        print("gridline: sessions are in the server's memory (no GRIDLINE_REDIS_URL): restart it to end them")
        return 2
    store = RedisStore(settings.redis_url)
    await db.open_db(settings.database_url)
    try:
        # With a clock the sessions are also the listed ones: their rows end now, "everywhere".
        await Sessions(store, settings.worker.session_idle, utc_now).sign_out_everywhere(user_id)
    finally:
        await store.close()
        await db.close_db()
    print(f"every page session of user {user_id} ends at its next request")
    return 0


async def _code(settings: Settings, user_id: int) -> int:
    await db.open_db(settings.database_url)
    try:
        code = await login_codes.issue(user_id, utc_now())
    except NotFound as exc:
        print(f"gridline: {exc.message}")
        return 2
    finally:
        await db.close_db()
    minutes = int(login_codes.TTL.total_seconds() // 60)
    print(f"{code[:4]} {code[4:]}  (one sign-in at {settings.public_url.rstrip('/')}/worker/login, "
          f"within {minutes} minutes)")
    return 0
