"""Photos taken by staff (worker, department, supervisor) for a case: validated like the mini-program's,
watermarked, stored content-addressed, and described in the audit event of the step they prove.

Every upload of a request is validated before any is stored, so a hostile file among good ones leaves
nothing behind. The checks run through ``run`` — the app's heavy-step pool
(:class:`intake.heavy.HeavyPool.run`) — never on the event loop; the watermark is drawn after the answer
(:mod:`intake.photos.pending`), so :func:`store` keeps each photo pending with its watermark's text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.cases.model import ActionRequest, Actor
from intake.errors import Invalid
from intake.photos import images, pending
from intake.photos.access import PENDING
from intake.store.models import Media

Runner = Callable[..., Awaitable[Any]]  # run(fn, *args) -> fn(*args), in a worker process
MAX_PHOTOS = 9  # as many as the API's attachments and a report's photos
Position = tuple[float, float]  # (lat, lng), WGS-84


@dataclass(frozen=True, slots=True)
class PhotoConfig:
    root: Path
    max_bytes: int = 5 * 1024 * 1024
    max_pixels: int = 50_000_000


def new_media_id() -> str:
    return "m" + secrets.token_hex(16)


async def inspect_all(run: Runner, config: PhotoConfig, uploads: Sequence[bytes]) -> list[images.Checked]:
    """Every upload validated (nothing stored yet); :class:`Invalid` naming the first refused one."""
    if len(uploads) > MAX_PHOTOS:
        raise Invalid(f"at most {MAX_PHOTOS} photos at once")
    inspected = []
    for number, data in enumerate(uploads, 1):
        if not data or len(data) > config.max_bytes:
            raise Invalid(f"photo {number}: 1 byte to {config.max_bytes} bytes", reason="size")
        try:
            seen = await run(images.check, data, config.max_pixels)
            inspected.append(dataclasses.replace(seen, original=data))  # the bytes never went back and forth
        except images.Rejected as exc:
            raise Invalid(f"photo {number}: {exc.message}", reason=exc.code) from None
    return inspected


async def store(config: PhotoConfig, case_no: str, actor: Actor, photos: Sequence[images.Checked],
                now: datetime, device: Position | None = None, ids: Sequence[str] = ()) -> list[Media]:
    """Keep validated photos for ``case_no``, pending their watermark (``ids``: media ids chosen beforehand)."""
    rows = []
    for index, photo in enumerate(photos):
        at = photo.taken_at or now
        where = (photo.lat, photo.lng) if photo.lat is not None and photo.lng is not None else device
        media_id = ids[index] if index < len(ids) else new_media_id()
        path = pending.original_path(media_id, photo.format)
        await asyncio.to_thread(pending.keep_original, config.root, path, photo.original)
        rows.append(await Media.create(
            media_id=media_id, owner=actor.ref, source="staff", state=PENDING, mime="image/jpeg", size=0,
            width=photo.width, height=photo.height, sha256="", path=path, case_no=case_no, created_at=now,
            original_sha256=photo.original_sha256, taken_at=photo.taken_at, lat=photo.lat, lng=photo.lng,
            caption=caption(at, case_no, where), next_try_at=now + pending.GRACE))
    return rows


async def take(run: Runner, config: PhotoConfig, case_no: str, actor: Actor, uploads: Sequence[bytes],
               now: datetime, device: Position | None = None) -> tuple[str, ...]:
    """Validate all, then store all: the media ids to pass as the step's ``attachments``."""
    photos = await inspect_all(run, config, uploads)
    return tuple(row.media_id for row in await store(config, case_no, actor, photos, now, device))


PHOTO_EXIF = "photo_exif"  # a position read from a photo's own GPS (the device gave none): weaker proof


def exif_position(photos: Sequence[images.Checked]) -> Position | None:
    """The GPS position of the first photo that has one, read before EXIF was stripped."""
    return next(((p.lat, p.lng) for p in photos if p.lat is not None and p.lng is not None), None)


async def stored_position(case_no: str, media_ids: Sequence[str]) -> Position | None:
    """The EXIF position of the first of ``media_ids`` (staff photos of ``case_no``, in that order) that has one."""
    rows = await Media.filter(media_id__in=list(media_ids)[:MAX_PHOTOS], case_no=case_no, source="staff",
                              lat__isnull=False, lng__isnull=False)
    by_id = {row.media_id: row for row in rows}
    return next(((r.lat, r.lng) for m in media_ids if (r := by_id.get(m)) is not None
                 and r.lat is not None and r.lng is not None), None)


async def placed_by_photo(case_no: str, step: ActionRequest) -> ActionRequest:
    """``step`` with the position of its first located staff photo when the device gave none, marked as such."""
    if "lat" in step.params or "lng" in step.params or not step.attachments:
        return step
    where = await stored_position(case_no, step.attachments)
    if where is None:
        return step
    return dataclasses.replace(step, params={**step.params, "lat": where[0], "lng": where[1],
                                             "position_source": PHOTO_EXIF})


def caption(at: datetime, case_no: str, where: Position | None) -> str:
    local = at.astimezone(images.CAMERA_TZ).strftime("%Y-%m-%d %H:%M")
    place = f"{where[0]:.5f},{where[1]:.5f}" if where else "no GPS"
    return f"{local} +08 | {case_no} | {place}"


def describe(photo: images.Checked, media_id: str) -> dict[str, Any]:
    """What the audit event records of one photo before it is stored (a report opened with photos)."""
    return {"media_id": media_id, "original_sha256": photo.original_sha256,
            "taken_at": photo.taken_at.isoformat() if photo.taken_at else None, "lat": photo.lat, "lng": photo.lng}


async def evidence(case_no: str, media_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The audit record of the staff photos among ``media_ids`` stored for ``case_no`` (others are skipped:
    an attachment may also be a plain reference the API accepted). ``sha256`` (the watermarked copy's) is
    ``None`` while a photo waits for its watermark; the original's is always there."""
    rows = await Media.filter(media_id__in=list(media_ids)[:MAX_PHOTOS], case_no=case_no, source="staff")
    by_id = {row.media_id: row for row in rows}
    return [{"media_id": m, "sha256": r.sha256 or None, "original_sha256": r.original_sha256,
             "taken_at": r.taken_at.isoformat() if r.taken_at else None, "lat": r.lat, "lng": r.lng}
            for m in media_ids if (r := by_id.get(m)) is not None]
