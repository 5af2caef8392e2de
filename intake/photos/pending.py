"""Staff photos watermarked after the answer: checked at once, kept pending, stamped in the background.

Re-encoding a phone photo with its watermark costs several times the checks, so the step that the photo
proves does not wait for it. At the request, every upload is checked in full (:func:`images.check`: type
by content, size, pixel count, metadata size, every pixel decoded) and its original's SHA-256 goes into
the step's audit event; the original is kept under ``pending/`` (never served: only ``stored`` rows are)
with its watermark text fixed. Right after the answer the app stamps it (:func:`finish`, the heavy step in
a worker process); a periodic pass (:func:`finish_due`) stamps whatever a stopped process left, so nothing
is lost between the answer and the watermark. Once stamped the row is ``stored`` (the watermarked copy,
content-addressed) and the original, with its EXIF, is deleted. Until then the staff media route waits a
few seconds for the copy (:func:`ready`) and residents' pages leave the photo out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from intake.errors import Busy
from intake.photos import images, stamp
from intake.photos.access import LOST, PENDING, STORED
from intake.store.models import Media

log = logging.getLogger("gridline.photos")
Runner = Callable[..., Awaitable[Any]]
FOLDER = "pending"
GRACE = timedelta(seconds=30)  # the periodic pass leaves a fresh photo to the stamping its answer started
MAX_TRIES = 5
BATCH = 20
ORPHAN_AGE_S = 3600.0


def original_path(media_id: str, fmt: str) -> str:
    return f"{FOLDER}/{media_id}.{images.SUFFIX[fmt]}"


def keep_original(root: Path, relative: str, data: bytes) -> None:
    """Written whole or not at all (a rename), so a stopped process never leaves half an original."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)


async def finish(run: Runner, root: Path, max_pixels: int, row: Media, now: datetime) -> str:
    """Stamp one pending staff photo; its state afterwards (``stored``, ``pending`` to retry, ``lost``)."""
    try:
        data = await asyncio.to_thread((root / row.path).read_bytes)
        jpeg, width, height = await run(stamp.stamp_original, data, row.caption or "", max_pixels)
    except Busy as exc:  # over the time or memory budget (a loaded machine): later, a few times
        return await _failed(row, str(exc), row.tries + 1 < MAX_TRIES, now)
    except FileNotFoundError:  # finished meanwhile by another process (it deletes the original)
        fresh = await Media.get_or_none(id=row.id)
        return fresh.state if fresh is not None and fresh.state != PENDING else \
            await _failed(row, "the original is missing", False, now)
    except images.Rejected as exc:  # checked at upload, so not expected; kept for a person to look at
        return await _failed(row, exc.message, False, now)
    path, digest = await asyncio.to_thread(stamp.write, root, jpeg, "image/jpeg")
    await Media.filter(id=row.id, state=PENDING).update(
        state=STORED, path=path, sha256=digest, size=len(jpeg), width=width, height=height, mime="image/jpeg",
        tries=row.tries + 1, next_try_at=None, last_error=None)
    await asyncio.to_thread((root / row.path).unlink, missing_ok=True)
    return STORED


async def _failed(row: Media, error: str, retry: bool, now: datetime) -> str:
    state = PENDING if retry else LOST
    later = now + GRACE * 2 ** row.tries
    await Media.filter(id=row.id, state=PENDING).update(
        state=state, tries=row.tries + 1, next_try_at=later if retry else None, last_error=error[:300])
    log.warning("staff photo not watermarked", extra={"media_id": row.media_id, "state": state, "error": error})
    return state


async def finish_ids(run: Runner, root: Path, max_pixels: int, media_ids: list[str], now: datetime) -> None:
    """The stamping an answer starts for its own photos."""
    for row in await Media.filter(media_id__in=media_ids, source="staff", state=PENDING).order_by("id"):
        await finish(run, root, max_pixels, row, now)


async def finish_due(run: Runner, root: Path, max_pixels: int, now: datetime, limit: int = BATCH) -> int:
    """The periodic pass: pending staff photos whose time has come (left by a stopped process, or to retry)."""
    rows = await Media.filter(source="staff", state=PENDING, next_try_at__lte=now).order_by("id").limit(limit)
    for row in rows:
        await finish(run, root, max_pixels, row, now)
    await sweep_originals(root)
    return len(rows)


async def sweep_originals(root: Path, older_than_s: float = ORPHAN_AGE_S) -> int:
    """Delete originals no pending row names (a process stopped between writing one and its row, or between
    storing the copy and deleting the original): their EXIF is personal data. Only files older than
    ``older_than_s`` (wall clock): a request may be between writing an original and creating its row."""
    folder = root / FOLDER
    names = await asyncio.to_thread(_old_files, folder, time.time() - older_than_s)
    if not names:
        return 0
    kept = {str(p) for p in await Media.filter(path__in=[f"{FOLDER}/{n}" for n in names],
                                               state__in=(PENDING, LOST)).values_list("path", flat=True)}
    gone = [n for n in names if f"{FOLDER}/{n}" not in kept]
    for name in gone:
        await asyncio.to_thread((folder / name).unlink, missing_ok=True)
    return len(gone)


def _old_files(folder: Path, before: float) -> list[str]:
    if not folder.is_dir():
        return []
    return [p.name for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < before][:500]


async def ready(media_id: str, wait_s: float, poll_s: float = 0.1) -> Media | None:
    """The row once it is no longer pending (``None`` when it still is after ``wait_s``)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + wait_s
    while (row := await Media.get_or_none(media_id=media_id)) is not None and row.state == PENDING:
        if loop.time() >= until:
            return None
        await asyncio.sleep(poll_s)
    return row
