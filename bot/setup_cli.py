"""``gridline setup import-grids|export-grids|import-staff``: a district's grid and people from files.

The grid check is CPU work on a file from outside; here it runs in a thread (a command has no other
requests to keep waiting), in the server it runs in the heavy-step pool. Errors are listed by feature
or line and nothing is stored (exit status 2).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.auth import hash_token, new_token
from intake.errors import Invalid
from intake.grid import grid_import
from intake.grid.import_read import MAX_BYTES
from intake.org.staff_import import import_staff

Command = Callable[[argparse.Namespace], Awaitable[str]]


def register(setup: Any) -> None:
    setup.add_parser("import-grids", help="create or update grid regions from a GeoJSON FeatureCollection "
                                          "(properties code, name, level[, parent])").add_argument("file", type=Path)
    export = setup.add_parser("export-grids", help="write every grid region as GeoJSON (stdout or --out)")
    export.add_argument("--out", type=Path)
    setup.add_parser("import-staff", help="create or update staff users from a CSV (UTF-8) or .xlsx file with "
                                          "columns name,role[,grids,department,wecom_userid,mobile,active]"
                     ).add_argument("file", type=Path)


async def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


def _read(path: Path) -> bytes:
    """The file's bytes, unless it is missing or over the limit (checked before reading it)."""
    if not path.is_file():
        raise Invalid(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise Invalid(f"{path.name}: more than the {MAX_BYTES} bytes allowed")
    return path.read_bytes()


async def _import_grids(args: argparse.Namespace) -> str:
    path: Path = args.file
    report = await grid_import.preview(_read(path), _in_thread)
    if report.errors:
        raise Invalid(f"{path.name}: {len(report.errors)} problem(s), nothing stored:\n  " + "\n  ".join(report.errors))
    stored = await grid_import.store(report)
    return f"grids imported from {path.name}: {stored}"


async def _export_grids(args: argparse.Namespace) -> str:
    text = json.dumps(await grid_import.export(), ensure_ascii=False, separators=(",", ":"))
    if args.out is None:
        return text
    args.out.write_text(text, encoding="utf-8")
    return f"grids exported to {args.out}"


async def _import_staff(args: argparse.Namespace) -> str:
    if not args.file.is_file():
        raise Invalid(f"{args.file}: no such file")
    created, updated, unchanged = await import_staff(args.file, lambda: hash_token(new_token()))
    return f"staff imported from {args.file.name}: {created} created, {updated} updated, {unchanged} unchanged"


COMMANDS: dict[tuple[str, str], Command] = {
    ("setup", "import-grids"): _import_grids, ("setup", "export-grids"): _export_grids,
    ("setup", "import-staff"): _import_staff,
}
