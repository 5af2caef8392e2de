"""Forms with photos (multipart) on the staff pages: read as a stream, never whole into memory.

The app's body limit (``client_max_size``) is for JSON and plain forms; a phone photo is bigger, so a
multipart form is read part by part, each photo stopped at the photo limit. The CSRF token must be the
form's first field: the auth middleware reads it (:func:`open_form`) before any photo arrives, and the
handler reads the rest (:func:`read_form`) from the same stream.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.keys import HEAVY, SETTINGS
from intake.errors import Invalid
from intake.photos.staff import MAX_PHOTOS, PhotoConfig

READER = web.RequestKey("form_reader", MultipartReader)
PHOTO_FIELD = "photo"
MAX_FIELD = 8 * 1024  # a note, a reason: text fields stay small


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    photos: list[bytes] = field(default_factory=list)


def is_multipart(request: web.Request) -> bool:
    return request.content_type.startswith("multipart/form-data")


async def open_form(request: web.Request) -> str | None:
    """The CSRF token, the multipart form's first field; the reader waits in the request for the handler."""
    try:
        reader = await request.multipart()
        part = await reader.next()
        token = await _text(part) if isinstance(part, BodyPartReader) and part.name == "csrf" else None
    except (ValueError, AssertionError, HttpProcessingError, Invalid):
        return None
    request[READER] = reader
    return token


async def read_form(request: web.Request) -> Form:
    """The form's fields and photos: a plain form from ``post()``, a multipart one from its stream."""
    if not is_multipart(request) or READER not in request:
        return Form({k: str(v) for k, v in (await request.post()).items() if isinstance(v, str)})
    form, limit = Form(), photo_config(request).max_bytes
    try:
        while (part := await request[READER].next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise Invalid("nested multipart bodies are not accepted")
            if part.name == PHOTO_FIELD and part.filename is not None:
                data = await _bounded(part, limit, f"a photo may have at most {limit // (1024 * 1024)} MB")
                if data:  # a file input left empty sends an empty part
                    form.photos.append(data)
                if len(form.photos) > MAX_PHOTOS:
                    raise Invalid(f"at most {MAX_PHOTOS} photos at once")
            elif part.name:
                form.fields[part.name] = await _text(part)
    except (ValueError, AssertionError, HttpProcessingError) as exc:  # aiohttp's parser on a broken body
        raise Invalid("the form's body is malformed") from exc
    return form


async def _text(part: BodyPartReader) -> str:
    return (await _bounded(part, MAX_FIELD, "a field is too long")).decode("utf-8", "replace")


async def _bounded(part: BodyPartReader, limit: int, too_big: str) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise Invalid(too_big, reason="size")
        chunks.append(chunk)
    return b"".join(chunks)


def device_position(fields: dict[str, str]) -> tuple[float, float] | None:
    """The position the page read from the device (hidden ``lat`` / ``lng``), when it is a real one."""
    try:
        lat, lng = float(fields.get("lat", "")), float(fields.get("lng", ""))
    except ValueError:
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 and math.isfinite(lat + lng) else None


def photo_config(request: web.Request) -> PhotoConfig:
    return PhotoConfig(root=request.config_dict[SETTINGS].mp.media_dir)


def runner(request: web.Request) -> Callable[..., Awaitable[Any]]:
    """The app's heavy-step pool (a time and memory budget per photo); a thread where there is none."""
    heavy = request.config_dict.get(HEAVY)
    if heavy is not None:
        return heavy.run

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
    return in_thread
