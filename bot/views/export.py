"""``GET /admin/v1/cases/export``: the case list, with the list's filters and scope, as CSV or xlsx.

Both are streamed. CSV goes out batch by batch; xlsx (a zip, written whole) is written batch by batch into a
temp file (:mod:`bot.views.xlsx`), off the event loop, then sent in chunks. Rows: intake.cases.export.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from aiohttp import web

from bot.auth import actor
from bot.keys import CASES
from bot.views.cases import case_filter
from bot.views.common import lang
from bot.views.xlsx import SheetWriter
from intake.cases import export
from intake.cases.model import Actor
from intake.errors import Invalid
from intake.sla.calendar import SHANGHAI

routes = web.RouteTableDef()
CHUNK = 64 * 1024
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@routes.get("/cases/export")
async def export_cases(request: web.Request) -> web.StreamResponse:
    return await stream_cases(request, actor(request), "admin API export")


async def stream_cases(request: web.Request, who: Actor, purpose: str) -> web.StreamResponse:
    """The case list (the list's filters, ``who``'s scope) streamed: the API's export and the console's;
    ``purpose`` names it in the PIPL read log when the filters pick cases by a resident's data."""
    fmt = request.query.get("format", "csv")
    if fmt not in TYPES:
        raise Invalid("format must be csv or xlsx")
    flt = case_filter(request)
    ctx = request.config_dict[CASES]
    rows = export.batches(ctx, who, flt, ctx.clock(), lang(request), purpose=purpose)
    name = f"cases-{ctx.clock().astimezone(SHANGHAI):%Y%m%d-%H%M}"
    return await stream_table(request, fmt, name, list(export.HEADER), rows)


async def stream_table(request: web.Request, fmt: str, name: str, header: list[str],
                       rows: AsyncIterator[Sequence[list[str]]]) -> web.StreamResponse:
    """A table as CSV (BOM, batch by batch) or xlsx (write-only workbook in a temp file), streamed.
    Cells must already be defused text (:func:`intake.cases.export.cell`)."""
    response = web.StreamResponse(headers={"Content-Type": TYPES[fmt],
                                           "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
    if fmt == "csv":
        await response.prepare(request)
        await response.write("\ufeff".encode())  # the BOM: Excel reads the file as UTF-8 only with it
        await response.write(_csv([header]))
        async for batch in rows:
            await response.write(_csv(batch))
    else:
        path = await _xlsx(name.split("-", 1)[0], header, rows)
        try:
            await response.prepare(request)
            with await asyncio.to_thread(path.open, "rb") as fh:
                while chunk := await asyncio.to_thread(fh.read, CHUNK):
                    await response.write(chunk)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
    await response.write_eof()
    return response


def _csv(batch: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(batch)
    return buf.getvalue().encode()


async def _xlsx(title: str, header: list[str], rows: AsyncIterator[Sequence[list[str]]]) -> Path:
    """The workbook in a temp file, each batch deflated into it as it comes (memory stays flat); a failed
    export leaves no file behind."""
    path, sheet = await asyncio.to_thread(_create, title)
    try:
        with sheet:
            await asyncio.to_thread(sheet.append, [header])
            async for batch in rows:
                await asyncio.to_thread(sheet.append, batch)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return path


def _create(title: str) -> tuple[Path, SheetWriter]:
    fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="gridline-export-")
    os.close(fd)
    path = Path(name)
    try:
        return path, SheetWriter(path, title)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
