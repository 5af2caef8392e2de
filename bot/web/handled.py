"""``/photos/<token>``: the handled photos a reporter's progress message links to (处置后照片).

The token is signed by the server (:mod:`intake.photos.handled`) and names one case and its expiry: a token
it did not make, or an expired one, is 403 — nothing says whether the case exists. Only the staff photos of
the case's latest 处置 are shown, as stored (watermarked, no EXIF). A photo still being watermarked (a moment
after the step's answer) is waited for, as on the staff media route: its copy or a 503, never the original.
"""

from __future__ import annotations

import jinja2
from aiohttp import web

from bot.keys import CASES, SETTINGS
from bot.web import media
from bot.web.render import SHARED, gettext, language
from intake.photos import handled, pending
from intake.photos.access import PENDING, STORED
from intake.store.models import Media

routes = web.RouteTableDef()
# The root app has no template environment of its own (the sub-apps' are theirs): this page's, from the
# shared folder, escaping everything as theirs do.
PAGE = jinja2.Environment(loader=jinja2.FileSystemLoader(SHARED), autoescape=True,
                          undefined=jinja2.StrictUndefined).get_template("handled.html")
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
           "Referrer-Policy": "no-referrer"}


def _case_no(request: web.Request) -> str:
    key = request.config_dict[SETTINGS].photo_link_key
    case_no = handled.verify(key, request.match_info["token"], request.config_dict[CASES].clock()) if key else None
    if case_no is None:
        raise web.HTTPForbidden(text="this link is not valid or has expired")
    return case_no


@routes.get("/photos/{token}")
async def page(request: web.Request) -> web.Response:
    case_no, _ = _case_no(request), gettext(request)  # the signature and expiry first: no lookup before
    shown = await handled.photos(case_no, waiting=True)
    body = PAGE.render({"_": _, "lang": language(request).replace("_", "-"), "token": request.match_info["token"],
                        "title": _("Photos of the handling of your report {case_no}").format(case_no=case_no),
                        "numbers": range(1, len(shown) + 1)})
    return web.Response(text=body, content_type="text/html", headers={
        **HEADERS, "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"})


@routes.get("/photos/{token}/{number}")
async def photo(request: web.Request) -> web.StreamResponse:
    case_no = _case_no(request)
    shown = await handled.photos(case_no, waiting=True)
    raw = request.match_info["number"]
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 2 else 0
    if not 1 <= number <= len(shown):
        raise web.HTTPNotFound(text="no such photo")
    row: Media | None = shown[number - 1]
    if row is not None and row.state == PENDING:
        row = await pending.ready(row.media_id, media.WAIT_S)
        if row is None:
            return web.Response(status=503, text="this photo is not ready yet; try again in a moment",
                                headers={**HEADERS, "Retry-After": "2", "Cache-Control": "no-store"})
    if row is None or row.state != STORED:
        raise web.HTTPNotFound(text="no such photo")
    return web.FileResponse(request.config_dict[SETTINGS].mp.media_dir / row.path, headers={
        **HEADERS, "Content-Type": row.mime, "Content-Security-Policy": "default-src 'none'",
        "Content-Disposition": "inline"})
