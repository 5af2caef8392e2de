"""Labels at the console: counts per category and source, CSV import checked before it is stored, export.

The check is ``intake.tuning.labels.parse_csv`` (the import's own rules), so a preview that lists no
error is a file the import will take; the import stores every row or none, as the API's does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from bot.console.auth import ME
from bot.console.nlp.common import ADMIN, allowed, flash, flash_and_go, in_words, name_of
from bot.keys import CASES
from bot.tuning import present
from bot.web.render import gettext, page
from intake.errors import DomainError, Invalid
from intake.tuning import labels

routes = web.RouteTableDef()




def _content(form: Any) -> bytes:
    upload = form.get("file")
    if not isinstance(upload, FileField):
        raise Invalid("choose a CSV file first")
    return bytes(upload.file.read(labels.MAX_IMPORT_BYTES + 1))


def _refused(request: web.Request, exc: DomainError) -> dict[str, Any]:
    found = exc.details.get("errors")
    return {"ok": False, "message": in_words(request, exc), "errors": [str(e) for e in found]
            if isinstance(found, list) else []}


async def _page(request: web.Request, preview: dict[str, Any] | None, status: int = 200) -> web.Response:
    counts = await labels.counts()
    rows = sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))
    return page("nlp/labels.html", request, {
        "me": request[ME], "tab": "labels", "flash": await flash(request), "preview": preview,
        "sources": labels.SOURCES, "rows": [(code, name_of(request, code), by) for code, by in rows],
        "totals": {s: sum(by.get(s, 0) for by in counts.values()) for s in labels.SOURCES}}, status)


@routes.get("/nlp/labels", name="nlp_labels")
@allowed(ADMIN)
async def labels_page(request: web.Request) -> web.Response:
    return await _page(request, None)


@routes.post("/nlp/labels/preview", name="nlp_labels_preview")
@allowed(ADMIN)
async def preview(request: web.Request) -> web.Response:
    """The file checked line by line; nothing is stored. A clean file is offered for import."""
    catalog = request.config_dict[CASES].taxonomy.catalog
    try:
        result: dict[str, Any]
        rows = await asyncio.to_thread(labels.parse_csv, _content(await request.post()), catalog)
    except DomainError as exc:
        result = _refused(request, exc)
    else:
        result = {"ok": True, "count": len(rows), "sample": [(t[:80], c, name_of(request, c)) for t, c in rows[:5]]}
    if request.query.get("partial") == "1":
        return page("nlp/_labels_preview.html", request, {"preview": result, "me": request[ME]})
    return await _page(request, result, 200 if result["ok"] else 400)


@routes.post("/nlp/labels/import", name="nlp_labels_import")
@allowed(ADMIN)
async def import_labels(request: web.Request) -> web.Response:
    me, ctx, _ = request[ME], request.config_dict[CASES], gettext(request)
    where = str(request.app.router["nlp_labels"].url_for())
    try:
        count = await labels.import_csv(_content(await request.post()), ctx.taxonomy.catalog, me.actor.ref,
                                        ctx.clock(), ctx.taxonomy.version)
    except DomainError as exc:
        return await _page(request, _refused(request, exc), 400)  # the errors by line, as the preview lists them
    return await flash_and_go(request, where, _("Labels imported: {n}").format(n=count))


@routes.get("/nlp/labels/export", name="nlp_labels_export")
@allowed(ADMIN)
async def export(request: web.Request) -> web.Response:
    body = present.labels_csv(await labels.everything())
    return web.Response(text=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="labels.csv"',
                                 "Cache-Control": "no-store"})
