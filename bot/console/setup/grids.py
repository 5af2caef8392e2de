"""Setup › Grid import: upload a GeoJSON file, see its validation report, confirm — nothing changes before.

The upload is streamed (a district's file is megabytes, over the app's form limit) with the CSRF field
first; the check runs in the heavy-step pool, never on the event loop. A clean file waits, compressed, in
the key-value store for 30 minutes under a random id bound to the session; confirming checks it again
(the grid may have changed meanwhile), stores it in one transaction and reloads the grid index.
"""

from __future__ import annotations

import base64
import secrets
import zlib

from aiohttp import BodyPartReader, web

from bot.console.setup.common import admin_only, done, field, routes, setup_page
from bot.keys import CASES, HEAVY, KV
from bot.web.auth import Me
from bot.web.render import error_page, gettext
from bot.web.session import csrf_ok
from intake.errors import Invalid
from intake.grid import grid_import
from intake.grid.import_check import Report

MAX_UPLOAD = 32 * 1024 * 1024
WAIT_S = 1800.0
CHECK_S = 120.0  # a district of 10,000 cells checks in seconds; the budget stops a pathological file


def _key(sid: str, token: str) -> str:
    return f"console:grid-upload:{sid[:16]}:{token}"


@routes.get("/setup/grids", name="setup_grids")
@admin_only
async def grid_form(request: web.Request, me: Me) -> web.Response:
    return await setup_page(request, me, "setup_grids.html", "setup_grids", {"report": None, "token": None,
                                                                             "filename": None})


@routes.post("/setup/grids", name="setup_grids_upload")
@admin_only
async def grid_upload(request: web.Request, me: Me) -> web.Response:
    _ = gettext(request)
    try:
        filename, raw = await _read_upload(request, me)
    except Invalid as exc:
        return error_page(request, 400 if exc.details.get("csrf") is None else 403, exc.message)
    report: Report = await grid_import.preview(raw, _heavy(request))
    token = None
    if report.ok:
        token = secrets.token_urlsafe(16)
        packed = base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
        await request.config_dict[KV].set(_key(me.session.sid, token), packed, WAIT_S)
    return await setup_page(request, me, "setup_grids.html", "setup_grids", {
        "report": report, "token": token, "filename": filename}, status=200 if report.ok else 422)


def _heavy(request: web.Request) -> grid_import.Run:
    pool = request.config_dict[HEAVY]

    async def run(fn: object, *args: object) -> object:
        return await pool.run(fn, *args, seconds=CHECK_S)  # type: ignore[arg-type]

    return run


async def _read_upload(request: web.Request, me: Me) -> tuple[str, bytes]:
    """``(file name, bytes)`` of a multipart form whose first field is the session's CSRF token."""
    _ = gettext(request)
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError):
        raise Invalid(_("Choose a GeoJSON file to upload.")) from None
    first = await reader.next()
    token = await first.text() if isinstance(first, BodyPartReader) and first.name == "csrf" else None
    if token is None or not csrf_ok(me.session, token[:100]):
        raise Invalid(_("This form has expired. Please reload the page."), csrf=True)
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "file":
        raise Invalid(_("Choose a GeoJSON file to upload."))
    chunks, size = [], 0
    while chunk := await part.read_chunk(1 << 16):
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise Invalid(_("The file is larger than {mb} MB.").format(mb=MAX_UPLOAD // (1024 * 1024)))
        chunks.append(chunk)
    return (part.filename or "upload.geojson")[:100], b"".join(chunks)


@routes.post("/setup/grids/confirm", name="setup_grids_confirm")
@admin_only
async def grid_confirm(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    kv, key = request.config_dict[KV], _key(me.session.sid, field(form, "token", 40))
    target = str(request.app.router["setup_grids"].url_for())

    async def work() -> str:
        packed = await kv.get(key)
        if packed is None:
            raise Invalid(_("The checked file has expired; upload it again."))
        raw = zlib.decompress(base64.b64decode(packed))
        stored = await grid_import.store(await grid_import.preview(raw, _heavy(request)))
        await kv.delete(key)
        await _reload(request)
        return _("Grid imported: {created} created, {updated} updated, {unchanged} unchanged.").format(
            created=stored.created, updated=stored.updated, unchanged=stored.unchanged)

    return await done(request, me, target, work)


async def _reload(request: web.Request) -> None:
    """This process places cases on the new grid at once (others on their next start)."""
    await request.config_dict[CASES].grid.reload()
