"""The background job that fetches 公众号 photos from WeChat (``/cgi-bin/media/get``) into local storage.

Runs beside the sender (a periodic job under a lock, so one process at a time), never on the reply path.
Each pending photo (:mod:`intake.photos.wechat`) is tried once per run when due: stored content-addressed
on success; on failure retried with backoff when WeChat may answer later (unreachable, 45009, a token
hiccup), lost when it never will (40007: the MediaId is unknown or expired) or its 3 days are over.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from intake.cases.context import Clock
from intake.photos import wechat as pending
from notify.media import LocalMediaStorage, MediaError, fetch_media
from notify.wechat import WeChatClient

log = logging.getLogger("gridline.media")
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})  # served to staff as stored: photos only
LOCK = "lock:wechat-media-fetch"


def job_body(client: Callable[[], WeChatClient | None], root: Path, clock: Clock) -> Callable[[], Awaitable[None]]:
    """``client``: the 公众号's API client, or ``None`` (not configured, sandbox): photos then wait, and are lost
    at the end of their lifetime as they would be in WeChat."""
    storage = LocalMediaStorage(root)

    async def run() -> None:
        await fetch_due(client(), storage, clock)

    return run


async def fetch_due(client: WeChatClient | None, storage: LocalMediaStorage, clock: Clock) -> tuple[int, int]:
    """One pass; returns (stored, failed) for this pass."""
    rows = await pending.due(clock())
    if client is None:
        return 0, 0
    done = failed = 0
    for row in rows:
        try:
            got = await fetch_media(client, pending.media_id_of(row), storage, allowed=IMAGES)
        except MediaError as exc:
            failed += 1
            state = await pending.failed(row, str(exc), exc.retry, clock())
            log.info("公众号 photo not fetched", extra={"case_no": row.case_no, "state": state, "error": str(exc)})
            continue
        await pending.stored(row, storage.path_of(got.ref).relative_to(storage.root).as_posix(), got.content_type,
                             got.size, got.sha256)
        done += 1
    return done, failed
