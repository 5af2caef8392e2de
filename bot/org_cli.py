"""``gridline user|department …`` and ``gridline setup import-departments``: the organisation from a terminal.

Each command opens the database, calls the domain (``intake.org``) and prints one line per record;
bad input exits 2 with the domain's message and stores nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot import setup_cli
from bot.auth import hash_token, new_token
from bot.settings import Settings
from intake.errors import DomainError
from intake.org import departments, users
from intake.org.departments import DepartmentSpec
from intake.org.imports import import_departments
from intake.store import db

Command = Callable[[argparse.Namespace], Awaitable[str]]


def register(sub: Any) -> None:
    dept = sub.add_parser("department", help="line departments (条线)").add_subparsers(dest="department_command",
                                                                                    required=True)
    listing = dept.add_parser("list", help="list departments (one JSON object a line)")
    listing.add_argument("--line"), listing.add_argument("--region")
    add = dept.add_parser("add", help="create a department")
    for name in ("code", "line", "name", "region"):
        add.add_argument(f"--{name}", required=True)
    _contact_options(add)
    edit = dept.add_parser("edit", help="change a department's fields")
    edit.add_argument("code")
    for name in ("line", "name", "region"):
        edit.add_argument(f"--{name}")
    _contact_options(edit)
    dept.add_parser("deactivate", help="stop dispatching to a department").add_argument("code")
    setup = sub.add_parser("setup", help="onboard a district from files").add_subparsers(dest="setup_command",
                                                                                       required=True)
    setup.add_parser("import-departments", help="create or update departments from a CSV (UTF-8) or .xlsx file "
                                                "with columns code,line,name,region_code[,email,wecom_group,active]"
                     ).add_argument("file", type=Path)
    setup_cli.register(setup)


def register_user(user: Any) -> None:
    """``user list|edit|deactivate|rotate-token`` beside the existing ``user add``."""
    listing = user.add_parser("list", help="list staff users (one JSON object a line)")
    listing.add_argument("--role"), listing.add_argument("--department")
    edit = user.add_parser("edit", help="change a user's role, grids, department, WeCom id, mobile or duty")
    edit.add_argument("user_id", type=int)
    edit.add_argument("--name"), edit.add_argument("--role"), edit.add_argument("--department")
    edit.add_argument("--grid", action="append", metavar="CODE", help="replaces the user's grids (repeatable)")
    edit.add_argument("--wecom-userid", dest="wecom_userid"), edit.add_argument("--mobile")
    edit.add_argument("--on-leave", dest="on_leave", choices=["yes", "no"])
    edit.add_argument("--substitute", type=int, metavar="USER_ID", help="who stands in while on leave")
    user.add_parser("deactivate", help="revoke a user's access at once").add_argument("user_id", type=int)
    user.add_parser("rotate-token", help="issue a new API token (shown once); the old one stops working"
                    ).add_argument("user_id", type=int)


def _contact_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email"), p.add_argument("--wecom-group", dest="wecom_group")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    command = COMMANDS[(args.command, getattr(args, f"{args.command}_command"))]
    await db.migrate(settings.database_url)
    await db.open_db(settings.database_url)
    try:
        print(await command(args))
    except DomainError as exc:
        print(f"gridline: {exc.message}")
        return 2
    finally:
        await db.close_db()
    return 0


def _line(d: Any) -> str:
    return json.dumps({"code": d.code, "line": d.line, "name": d.name, "region_code": d.region_code,
                       "email": d.email, "wecom_group": d.wecom_group, "active": d.active}, ensure_ascii=False)


async def _list(args: argparse.Namespace) -> str:
    return "\n".join(_line(d) for d in await departments.listing(line=args.line, region=args.region))


async def _add(args: argparse.Namespace) -> str:
    return _line(await departments.create(DepartmentSpec(args.code, args.line, args.name, args.region,
                                                         args.email, args.wecom_group)))


async def _edit(args: argparse.Namespace) -> str:
    given = {"line": args.line, "name": args.name, "region_code": args.region, "email": args.email,
             "wecom_group": args.wecom_group}
    return _line(await departments.edit(args.code, {k: v for k, v in given.items() if v is not None}))


async def _deactivate(args: argparse.Namespace) -> str:
    return _line(await departments.deactivate(args.code))


async def _import(args: argparse.Namespace) -> str:
    created, updated = await import_departments(args.file)
    return f"departments imported from {args.file.name}: {created} created, {updated} updated"


def _user_line(staff: users.StaffUser) -> str:
    u = staff.user
    return json.dumps({"id": u.id, "name": u.name, "role": u.role, "grids": list(staff.grids),
                       "department_code": u.department_code, "wecom_userid": u.wecom_userid, "phone": u.phone,
                       "active": u.active, "on_leave": u.on_leave, "substitute_id": u.substitute_id},
                      ensure_ascii=False)


async def _user_list(args: argparse.Namespace) -> str:
    return "\n".join(_user_line(s) for s in await users.listing(role=args.role, department=args.department))


async def _user_edit(args: argparse.Namespace) -> str:
    given = {"name": args.name, "role": args.role, "department_code": args.department, "grids": args.grid,
             "wecom_userid": args.wecom_userid, "phone": args.mobile, "substitute_id": args.substitute,
             "on_leave": None if args.on_leave is None else args.on_leave == "yes"}
    return _user_line(await users.edit(args.user_id, {k: v for k, v in given.items() if v is not None}))


async def _user_deactivate(args: argparse.Namespace) -> str:
    return _user_line(await users.deactivate(args.user_id))


async def _user_rotate(args: argparse.Namespace) -> str:
    token = new_token()
    staff = await users.rotate_token(args.user_id, hash_token(token))
    return f"user {staff.user.id} ({staff.user.name}): new API token — shown once, store it now:\n{token}"


COMMANDS: dict[tuple[str, str], Command] = {
    ("user", "list"): _user_list, ("user", "edit"): _user_edit, ("user", "deactivate"): _user_deactivate,
    ("user", "rotate-token"): _user_rotate,
    ("department", "list"): _list, ("department", "add"): _add, ("department", "edit"): _edit,
    ("department", "deactivate"): _deactivate, ("setup", "import-departments"): _import,
    **setup_cli.COMMANDS,
}
