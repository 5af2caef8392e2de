"""The staff media route, shared by the worker pages and the console: ``{prefix}/media/{media_id}``.

Scope is the case's (:func:`intake.photos.access.for_staff`): a photo of a case the user may not read is
a 404 like a missing one. The file is served as the type it was stored as, never sniffed by the browser.

A staff photo still waiting for its watermark (:mod:`intake.photos.pending`, well under a second after the
answer on an idle server) is answered once its watermarked copy exists: the route waits up to
:data:`WAIT_S`, then says 503 with ``Retry-After``. Nobody — staff included — is ever served the original.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.keys import CASES, SETTINGS
from bot.web.auth import Me
from bot.web.render import SITE, error_page, gettext
from intake.errors import NotFound
from intake.photos import access, pending
from intake.privacy import reads
from intake.store.models import Media

WAIT_S = 8.0


def route(me_key: web.RequestKey[Me]) -> Callable[[web.Request], Any]:
    async def serve(request: web.Request) -> web.StreamResponse:
        try:
            row = await access.for_staff(request[me_key].actor, request.match_info["media_id"])
        except NotFound:
            return error_page(request, 404, gettext(request)("There is no such photo."))
        if row.state == access.PENDING:  # a staff photo being watermarked: its copy, in a moment
            ready = await pending.ready(row.media_id, WAIT_S)
            if ready is None or ready.state != access.STORED:
                return _not_yet(request, ready)
            row = ready
        if row.source != "staff" and row.case_no:  # a resident's photo is their personal data: logged
            await reads.record(request[me_key].actor, row.case_no, f"{request.config_dict[SITE].root} photo",
                               ("photos",), request.config_dict[CASES].clock())
        path = request.config_dict[SETTINGS].mp.media_dir / row.path  # only a stored row's: never an original
        return web.FileResponse(path, headers={
            "Content-Type": row.mime, "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'", "Content-Disposition": "inline"})
    return serve


def _not_yet(request: web.Request, row: Media | None) -> web.Response:
    _ = gettext(request)
    if row is not None:  # lost: the watermark could not be drawn (the original stays, unserved, for a person)
        return error_page(request, 404, _("There is no such photo."))
    response = error_page(request, 503, _("This photo is still being watermarked; try again in a moment."))
    response.headers["Retry-After"] = "2"
    return response


def photo_rows(root: str, photos: list[access.Photo]) -> list[dict[str, Any]]:
    """What a case page shows of each photo (msgids for the words)."""
    labels = {access.PENDING: "Not fetched yet", access.LOST: "Photo lost (not fetched in time)"}
    return [{"url": f"{root}/media/{p.media_id}" if p.media_id and _served(p) else None,
             "kind": "staff" if p.by_staff else "resident",
             "label": "Staff photo" if p.by_staff else "Resident's photo",
             "state_label": labels.get(p.state, "Photo lost (not fetched in time)")} for p in photos]


def _served(photo: access.Photo) -> bool:
    """Stored, or a staff photo being watermarked (the route waits for its copy)."""
    return photo.state == access.STORED or (photo.by_staff and photo.state == access.PENDING)
