"""Photo upload (multipart, one image per request) and reading one's own photos back."""

from __future__ import annotations

import asyncio

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.jsonout import json_response
from bot.keys import HEAVY
from bot.mp import media
from bot.mp.errors import http_error, too_large
from bot.mp.ratelimit import HOUR
from bot.mp.replies import MediaReply
from bot.mp.services import caller, client_ip, mp, now
from intake.cases import media as photos
from intake.errors import Invalid

routes = web.RouteTableDef()
FIELD = "file"  # wx.uploadFile({name: "file"})


@routes.post("/media")
async def upload(request: web.Request) -> web.Response:
    who = await caller(request)
    services, moment = mp(request), now(request)
    limits = services.config.limits
    await services.limiter.hit("media", {"rid": (who.openid, limits.media_per_hour),
                                         "ip": (client_ip(request), limits.media_per_hour_ip)}, HOUR, moment)
    data = await _read_file(request, services.config.media_max_bytes)
    loop = asyncio.get_running_loop()
    heavy = request.config_dict.get(HEAVY)
    try:  # decoding and re-encoding: in a worker process with a time and memory budget (a decoder bomb)
        clean = await (heavy.run(media.clean, data, services.config.media_max_pixels) if heavy else
                       loop.run_in_executor(None, media.clean, data, services.config.media_max_pixels))
    except media.Rejected as exc:
        raise http_error(415, exc.code, exc.message) from None
    media_id = media.new_media_id()
    path, digest = await loop.run_in_executor(None, media.write, services.config.media_dir, media_id, clean)
    await photos.record(media_id, who.openid, mime=clean.mime, size=len(clean.data), width=clean.width,
                        height=clean.height, sha256=digest, path=path, at=moment)
    reply = MediaReply(media_id=media_id, mime=clean.mime, width=clean.width, height=clean.height,
                       size=len(clean.data))
    return json_response(reply.model_dump(mode="json"), status=201)


async def _read_file(request: web.Request, limit: int) -> bytes:
    """The bytes of the ``file`` part, read in chunks so an oversized upload stops at ``limit``."""
    if not request.content_type.startswith("multipart/form-data"):
        raise Invalid(f"send multipart/form-data with the image in a part named {FIELD!r}")
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == FIELD:
                return await _bounded(part, limit)
            if isinstance(part, BodyPartReader):
                await part.release()
    except (ValueError, AssertionError, HttpProcessingError) as exc:  # aiohttp's parser on a broken body
        raise Invalid("the multipart body is malformed") from exc
    raise Invalid(f"no part named {FIELD!r}")


async def _bounded(part: BodyPartReader, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise too_large(limit, size)
        chunks.append(chunk)
    if not size:
        raise Invalid("the file is empty")
    return b"".join(chunks)


@routes.get("/media/{media_id}")
async def download(request: web.Request) -> web.StreamResponse:
    who = await caller(request)
    row = await photos.owned(request.match_info["media_id"], who.openid)
    path = mp(request).config.media_dir / row.path
    return web.FileResponse(path, headers={"Content-Type": row.mime, "Cache-Control": "private, max-age=3600",
                                           "X-Content-Type-Options": "nosniff"})
