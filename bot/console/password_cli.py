"""``gridline user password --user ID``: set a staff user's console password.

Read from stdin when it is not a terminal (``echo … | gridline user password``), else asked twice
without echo: never an argument, which would stay in the shell history and the process list.
"""

from __future__ import annotations

import getpass
import sys

from bot.settings import Settings
from intake import passwords, staff_audit
from intake.cases.context import utc_now
from intake.errors import Invalid, NotFound
from intake.store import db


def read_password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New console password: ")
    return first if getpass.getpass("Again: ") == first else None


async def run(settings: Settings, user_id: int) -> int:
    password = read_password()
    if password is None:
        print("gridline: the two passwords differ", file=sys.stderr)
        return 2
    try:
        passwords.check_strength(password)
    except Invalid as exc:
        print(f"gridline: {exc.message}", file=sys.stderr)
        return 2
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        await passwords.set_password(user_id, password, utc_now())
        await staff_audit.record("password_set", utc_now(), account=str(user_id), user_id=user_id,
                                 actor="cli", ip="-")
    except NotFound as exc:
        print(f"gridline: {exc.message}", file=sys.stderr)
        return 2
    finally:
        await db.close_db()
    print(f"the console password of user {user_id} is set")
    return 0
