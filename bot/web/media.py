"""The staff media route, shared by the worker pages and the console: ``{prefix}/media/{media_id}``.

Scope is the case's (:func:`intake.photos.access.for_staff`): a photo of a case the user may not read is
a 404 like a missing one. The file is served as the type it was stored as, never sniffed by the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.keys import CASES, SETTINGS
from bot.web.auth import Me
from bot.web.render import SITE, error_page, gettext
from intake.errors import NotFound
from intake.photos import access
from intake.privacy import reads


def route(me_key: web.RequestKey[Me]) -> Callable[[web.Request], Any]:
    async def serve(request: web.Request) -> web.StreamResponse:
        try:
            row = await access.for_staff(request[me_key].actor, request.match_info["media_id"])
        except NotFound:
            return error_page(request, 404, gettext(request)("There is no such photo."))
        if row.source != "staff" and row.case_no:  # a resident's photo is their personal data: logged
            await reads.record(request[me_key].actor, row.case_no, f"{request.config_dict[SITE].root} photo",
                               ("photos",), request.config_dict[CASES].clock())
        path = request.config_dict[SETTINGS].mp.media_dir / row.path
        return web.FileResponse(path, headers={
            "Content-Type": row.mime, "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'", "Content-Disposition": "inline"})
    return serve


def photo_rows(root: str, photos: list[access.Photo]) -> list[dict[str, Any]]:
    """What a case page shows of each photo (msgids for the words)."""
    labels = {access.PENDING: "Not fetched yet", access.LOST: "Photo lost (not fetched in time)"}
    return [{"url": f"{root}/media/{p.media_id}" if p.media_id and p.state == access.STORED else None,
             "kind": "staff" if p.by_staff else "resident",
             "label": "Staff photo" if p.by_staff else "Resident's photo",
             "state_label": labels.get(p.state, "Photo lost (not fetched in time)")} for p in photos]
